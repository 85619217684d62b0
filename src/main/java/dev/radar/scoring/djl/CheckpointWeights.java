package dev.radar.scoring.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.util.Pair;
import ai.djl.ndarray.NDList;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.checkpoint.CheckpointException;
import dev.radar.checkpoint.HfCheckpoint;
import dev.radar.checkpoint.SafetensorsFile;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Puts a raw checkpoint's weights into an architecture package's loaded modules: for every TorchScript parameter
 * the package's {@code weights} section names the safetensors key it comes from (tied weights already resolved by
 * the export); the tensor is memory-mapped, converted to the package dtype and copied in place into the module's own
 * parameter tensor (on its device). Buffers the checkpoint does not hold (rotary tables) keep the traced
 * values, which depend only on the matched config. A missing key, a shape mismatch or a parameter the package does
 * not account for is a {@link ModelLoadException} naming it: a model with some weights left from the trace
 * source would score silently wrong.
 */
final class CheckpointWeights {

    private CheckpointWeights() {
    }

    /** The {@code weights} section of {@code packageDir}'s radar-model.json. */
    static JsonNode section(Path packageDir) {
        Path file = packageDir.resolve(ModelConfig.FILE);
        try {
            JsonNode w = new ObjectMapper().readTree(file.toFile()).path("weights");
            if (!w.isObject()) {
                throw new ModelLoadException(file + " has no \"weights\" section: not an architecture package "
                        + "(models/export_hf.py --architecture)");
            }
            return w;
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces every parameter of {@code module} (vision or language) from {@code checkpoint}. */
    static int replace(ZooModel<NDList, NDList> module, String moduleName, JsonNode weights, HfCheckpoint checkpoint) {
        JsonNode mapped = weights.path(moduleName).path("parameters");
        Set<String> kept = new HashSet<>();
        weights.path(moduleName).path("kept").forEach(k -> kept.add(k.asText()));
        Set<String> seen = new HashSet<>();
        int replaced = 0;
        try (NDManager scratch = module.getNDManager().newSubManager()) {
            for (Pair<String, Parameter> p : module.getBlock().getDirectParameters()) {
                String name = p.getKey();
                seen.add(name);
                JsonNode entry = mapped.get(name);
                if (entry == null) {
                    if (kept.contains(name)) {
                        continue;
                    }
                    throw new ModelLoadException(moduleName + ".pt parameter '" + name + "' has no checkpoint key in "
                            + "the architecture package's weights section (re-export it with --architecture)");
                }
                copy(scratch, p.getValue().getArray(), entry.path("key").asText(), moduleName + ".pt " + name,
                        checkpoint);
                replaced++;
            }
        }
        for (var it = mapped.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!seen.contains(name)) {
                throw new ModelLoadException("the architecture package maps '" + name + "', which " + moduleName
                        + ".pt does not have (package and modules out of step)");
            }
        }
        return replaced;
    }

    private static void copy(NDManager scratch, NDArray target, String key, String what, HfCheckpoint checkpoint) {
        SafetensorsFile file = checkpoint.tensors().get(key);
        if (file == null) {
            throw new ModelLoadException(checkpoint.dir() + " has no tensor '" + key + "' (needed for " + what + ")");
        }
        SafetensorsFile.Entry e = file.entries().get(key);
        Shape shape = new Shape(e.shape());
        if (!shape.equals(target.getShape())) {
            throw new ModelLoadException(checkpoint.dir() + ": tensor '" + key + "' has shape "
                    + Arrays.toString(e.shape()) + ", " + what + " needs " + target.getShape());
        }
        try (NDManager m = scratch.newSubManager()) {
            NDArray value = read(m, file, key).toDevice(target.getDevice(), false);
            // value[...] = tensor: libtorch copies in place into the module's own tensor and converts float32 to
            // the package dtype as torch's .to() does (round to nearest even). Autograd allows it only off the
            // graph, and libtorch only on tensors not loaded in inference mode (ScoringModel loads replaceable
            // modules with trainParam).
            target.setRequiresGradient(false);
            target.set(new NDIndex("..."), value);
        }
    }

    /**
     * Tensor {@code key} of {@code file} as float32 on {@code m}'s device: exact for F32, F16 and BF16. DJL 0.35.1
     * aborts the JVM on any BFLOAT16 NDArray it creates or converts to (seen: create(buffer, BFLOAT16) and
     * toType(BFLOAT16)), so bfloat16 never passes through DJL: its bits are widened here (bf16 is the top half of
     * a float32), and the conversion to a bfloat16 package happens inside libtorch's copy.
     */
    static NDArray read(NDManager m, SafetensorsFile file, String key) {
        try {
            ByteBuffer bytes = file.map(key);
            SafetensorsFile.Entry e = file.entries().get(key);
            Shape shape = new Shape(e.shape());
            return switch (file.dtype(e)) {
                case F32 -> m.create(bytes, shape, DataType.FLOAT32);
                case F16 -> m.create(bytes, shape, DataType.FLOAT16).toType(DataType.FLOAT32, false);
                case BF16 -> m.create(widenBfloat16(bytes), shape, DataType.FLOAT32);
            };
        } catch (CheckpointException ex) {
            throw new ModelLoadException(ex.reason() + ": " + ex.getMessage(), ex);
        }
    }

    private static ByteBuffer widenBfloat16(ByteBuffer bf16) {
        ByteBuffer out = ByteBuffer.allocateDirect(bf16.remaining() * 2).order(ByteOrder.nativeOrder());
        while (bf16.remaining() >= 2) {
            out.putInt((bf16.getShort() & 0xFFFF) << 16);
        }
        return out.flip();
    }
}
