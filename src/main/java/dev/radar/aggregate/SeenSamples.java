package dev.radar.aggregate;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The dedupe set of one checkpoint: every (evaluation id, task, sample id) already counted, so that a redelivered or
 * re-scored sample never counts twice. It lives in memory beside the checkpoint's state and is written through to the
 * seen store in chunks: per (evaluation, task), ids fill chunks of up to {@link #CHUNK}, and a new id rewrites only
 * its open chunk. With the store's cache in front, the changelog then carries about one record per chunk and commit
 * instead of one per sample, which is what keeps dedupe affordable at full input rate.
 *
 * <p>Store key {@code checkpointKey|evaluationId|task|chunkNo}; the value repeats the first three fields, so that
 * loading by the prefix {@code checkpointKey|} keeps only exact matches whatever characters the ids contain.
 */
final class SeenSamples {
    /** Ids per stored chunk: bounds the bytes rewritten per sample (~ CHUNK x id length). */
    static final int CHUNK = 64;
    private static final int FORMAT = 1;
    private static final StringSerializer KEYS = new StringSerializer();

    /** One write-through of a chunk: put {@code value} under {@code key} in the seen store. */
    record Chunk(String key, byte[] value) {
    }

    private record Group(String evaluationId, String task) {
    }

    /** The ids of one (evaluation, task) and the chunk being filled. */
    private static final class Ids {
        final Set<String> seen = new HashSet<>();
        int nextChunk;
        int openChunk = -1;
        int openCount;
        int countOffset;
        ByteArrayOutputStream openBytes;
        DataOutputStream open;
    }

    private final String checkpointKey;
    private final Map<Group, Ids> groups = new HashMap<>();
    private int size;

    SeenSamples(String checkpointKey) {
        this.checkpointKey = checkpointKey;
    }

    /** Samples recorded so far. */
    int size() {
        return size;
    }

    /**
     * Records a sample.
     *
     * @return the chunk to write through to the seen store, or null when the sample was seen before (a duplicate)
     */
    Chunk add(String evaluationId, String task, String sampleId) {
        Ids ids = groups.computeIfAbsent(new Group(evaluationId, task), g -> new Ids());
        if (!ids.seen.add(sampleId)) {
            return null;
        }
        size++;
        try {
            if (ids.open == null || ids.openCount == CHUNK) {
                startChunk(ids, evaluationId, task);
            }
            ids.open.writeUTF(sampleId);
            ids.openCount++;
            byte[] value = ids.openBytes.toByteArray();
            ByteBuffer.wrap(value).putInt(ids.countOffset, ids.openCount);
            return new Chunk(chunkKey(evaluationId, task, ids.openChunk), value);
        } catch (IOException e) {
            throw new SerializationException("cannot encode a seen-samples chunk", e);
        }
    }

    private void startChunk(Ids ids, String evaluationId, String task) throws IOException {
        ids.openChunk = ids.nextChunk++;
        ids.openCount = 0;
        ids.openBytes = new ByteArrayOutputStream(64 + CHUNK * 24);
        ids.open = new DataOutputStream(ids.openBytes);
        ids.open.writeByte(FORMAT);
        ids.open.writeUTF(checkpointKey);
        ids.open.writeUTF(evaluationId);
        ids.open.writeUTF(task);
        ids.open.writeInt(ids.openChunk);
        ids.countOffset = ids.open.size();
        ids.open.writeInt(0);
    }

    private String chunkKey(String evaluationId, String task, int chunk) {
        return checkpointKey + "|" + evaluationId + "|" + task + "|" + chunk;
    }

    /** The dedupe set of {@code checkpointKey} as stored; new ids go to fresh chunks after the stored ones. */
    static SeenSamples load(KeyValueStore<String, byte[]> store, String checkpointKey) {
        SeenSamples samples = new SeenSamples(checkpointKey);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(checkpointKey + "|", KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                samples.read(entry.key, entry.value);
            }
        }
        return samples;
    }

    private void read(String key, byte[] value) {
        if (value == null) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("unknown seen-samples chunk format " + format + " under " + key);
            }
            if (!in.readUTF().equals(checkpointKey)) {
                return; // another checkpoint whose key merely starts with this one's
            }
            String evaluationId = in.readUTF();
            String task = in.readUTF();
            int chunk = in.readInt();
            int n = in.readInt();
            Ids ids = groups.computeIfAbsent(new Group(evaluationId, task), g -> new Ids());
            ids.nextChunk = Math.max(ids.nextChunk, chunk + 1);
            for (int i = 0; i < n; i++) {
                if (ids.seen.add(in.readUTF())) {
                    size++;
                }
            }
        } catch (IOException e) {
            throw new SerializationException("cannot decode the seen-samples chunk " + key, e);
        }
    }
}
