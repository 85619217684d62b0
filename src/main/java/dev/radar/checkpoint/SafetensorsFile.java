package dev.radar.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
 * header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the tensors'
 * bytes, offsets relative to the end of the header. Opening reads the header only and checks that the file holds
 * every byte the header promises (a half-written file is an {@code incomplete-checkpoint}); a tensor's bytes are
 * memory-mapped when asked for, never copied here.
 */
public final class SafetensorsFile {

    /** Headers larger than this are not a checkpoint (the format's own reference reader caps it at 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** Element types RADAR loads into a model (what save_pretrained writes for these families). */
    public enum DType {
        F32(4), F16(2), BF16(2);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /**
     * One tensor's header entry.
     *
     * @param dtype  element type as the file names it (F32, F16, BF16, I64, ...)
     * @param shape  dimensions
     * @param begin  first byte, relative to the data section
     * @param end    one past the last byte, relative to the data section
     */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    /** Reads and checks the header of {@code file}; a {@link CheckpointException} says what is wrong. */
    public static SafetensorsFile open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw incomplete(file, "is " + size + " bytes long, shorter than a safetensors header");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
                throw new CheckpointException(CheckpointValidator.NOT_A_CHECKPOINT,
                        file + " is not a safetensors file (header length " + headerLen + ")");
            }
            if (8 + headerLen > size) {
                throw incomplete(file, "is truncated: its header needs " + (8 + headerLen) + " bytes, the file has "
                        + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode json;
            try {
                json = new ObjectMapper().readTree(header.array());
            } catch (IOException e) {
                throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT,
                        file + ": unreadable safetensors header (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            long dataEnd = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                Entry e = entry(file, f.getKey(), f.getValue());
                dataEnd = Math.max(dataEnd, e.end());
                entries.put(e.name(), e);
            }
            long expected = 8 + headerLen + dataEnd;
            if (size != expected) {
                throw incomplete(file, "is " + size + " bytes, its header describes " + expected
                        + (size < expected ? " (truncated: still being written?)" : ""));
            }
            return new SafetensorsFile(file, 8 + headerLen, Collections.unmodifiableMap(entries));
        } catch (IOException e) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT,
                    "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Entry entry(Path file, String name, JsonNode n) {
        JsonNode offsets = n.path("data_offsets");
        JsonNode shape = n.path("shape");
        if (!n.path("dtype").isTextual() || !shape.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT,
                    file + ": malformed safetensors entry '" + name + "'");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong();
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT,
                    file + ": tensor '" + name + "' has offsets [" + begin + ", " + end + "]");
        }
        return new Entry(name, n.get("dtype").asText(), dims, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static CheckpointException incomplete(Path file, String what) {
        return new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, file + " " + what);
    }

    public Path file() {
        return file;
    }

    /** Header entries by tensor name, in file order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /**
     * The bytes of tensor {@code name}, memory-mapped read-only, little-endian, after checking that its dtype is
     * loadable and that its byte count matches its shape.
     */
    public ByteBuffer map(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, file + " has no tensor '" + name + "'");
        }
        DType t = dtype(e);
        if (e.elements() * t.bytes != e.end() - e.begin()) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT, file + ": tensor '" + name
                    + "' has " + (e.end() - e.begin()) + " bytes for " + e.elements() + " " + t + " elements");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // The mapping stays valid after the channel is closed.
            return ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new CheckpointException(CheckpointValidator.INCOMPLETE_CHECKPOINT,
                    "cannot map tensor '" + name + "' of " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** The element type of {@code e}, if RADAR can load it. */
    public DType dtype(Entry e) {
        try {
            return DType.valueOf(e.dtype());
        } catch (IllegalArgumentException ex) {
            throw new CheckpointException(CheckpointValidator.UNSUPPORTED_ARCHITECTURE, file + ": tensor '" + e.name()
                    + "' has dtype " + e.dtype() + "; weights must be F32, F16 or BF16");
        }
    }
}
