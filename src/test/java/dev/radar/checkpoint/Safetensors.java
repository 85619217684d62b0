package dev.radar.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files for tests, byte for byte as the format specifies (what save_pretrained writes). */
public final class Safetensors {
    private Safetensors() {
    }

    /** One tensor: dtype name, shape and its raw little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        public static Tensor f32(long[] shape, float... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                b.putFloat(v);
            }
            return new Tensor("F32", shape, b.array());
        }

        /** 16-bit elements given as their bit patterns (BF16 or F16). */
        public static Tensor bits16(String dtype, long[] shape, int... bits) {
            ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : bits) {
                b.putShort((short) v);
            }
            return new Tensor(dtype, shape, b.array());
        }
    }

    public static Path write(Path file, Map<String, Tensor> tensors) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        Map<String, Tensor> ordered = new LinkedHashMap<>(tensors);
        for (Map.Entry<String, Tensor> e : ordered.entrySet()) {
            Tensor t = e.getValue();
            StringBuilder shape = new StringBuilder();
            for (long d : t.shape()) {
                shape.append(shape.length() == 0 ? "" : ",").append(d);
            }
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype())
                    .append("\",\"shape\":[").append(shape).append("],\"data_offsets\":[").append(offset).append(',')
                    .append(offset + t.data().length).append("]}");
            offset += t.data().length;
        }
        header.append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + h.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        ordered.values().forEach(t -> out.put(t.data()));
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
