package dev.radar.scoring.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.radar.checkpoint.Safetensors;
import dev.radar.checkpoint.SafetensorsFile;
import dev.radar.scoring.ModelLoadException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoint tensors in each dtype save_pretrained writes (F32, F16, BF16) are read with their exact values (the
 * float32 parity test covers F32 only; the conversion into a bfloat16 package is RawCheckpointParityTest's).
 */
class CheckpointWeightsTest {

    @TempDir
    static Path tmp;
    static SafetensorsFile file;

    @BeforeAll
    static void write() {
        System.setProperty("ai.djl.offline", "true");
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        // 1.5, -3.0, 0.0078125 (2^-7) in each encoding
        t.put("bf16", Safetensors.Tensor.bits16("BF16", new long[]{3}, 0x3FC0, 0xC040, 0x3C00));
        t.put("f16", Safetensors.Tensor.bits16("F16", new long[]{3}, 0x3E00, 0xC200, 0x2000));
        t.put("f32", Safetensors.Tensor.f32(new long[]{2, 2}, 1.5f, 1f + 0x1p-9f, 1f + 3 * 0x1p-9f, -3f));
        t.put("i64", new Safetensors.Tensor("I64", new long[]{1}, new byte[8]));
        file = SafetensorsFile.open(Safetensors.write(tmp.resolve("model.safetensors"), t));
    }

    @Test
    void sixteenBitTensorsReadAsTheirValues() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            assertArrayEquals(new float[]{1.5f, -3f, 0.0078125f},
                    CheckpointWeights.read(m, file, "bf16").toFloatArray());
            assertArrayEquals(new float[]{1.5f, -3f, 0.0078125f},
                    CheckpointWeights.read(m, file, "f16").toFloatArray());
        }
    }

    @Test
    void float32ReadsAsStored() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            var f32 = CheckpointWeights.read(m, file, "f32");
            assertArrayEquals(new long[]{2, 2}, f32.getShape().getShape());
            assertArrayEquals(new float[]{1.5f, 1f + 0x1p-9f, 1f + 3 * 0x1p-9f, -3f}, f32.toFloatArray());
        }
    }

    @Test
    void otherDtypesAreAClearError() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> CheckpointWeights.read(m, file, "i64"));
            assertTrue(e.getMessage().contains("'i64' has dtype I64"), e.getMessage());
        }
    }
}
