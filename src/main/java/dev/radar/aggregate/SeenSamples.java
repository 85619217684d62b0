package dev.radar.aggregate;

import dev.radar.events.SampleScore;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The samples counted for one checkpoint: every (evaluation id, task, sample id) already counted, so that a
 * redelivered or re-scored sample never counts twice, each with what it added (failed, correct, SDS), so that the
 * checkpoint's totals can be rebuilt from them. It lives in memory beside the checkpoint's state and is written
 * through to the seen store in chunks: per (evaluation, task), samples fill chunks of up to {@link #CHUNK}, and a new
 * one rewrites only its open chunk. With the store's cache in front, the changelog then carries about one record per
 * chunk and commit instead of one per sample, and a sample's id and count land in the same write.
 *
 * <p>Store key {@code checkpointKey|evaluationId|task|chunkNo}; the value repeats the first three fields, so that
 * loading by the prefix {@code checkpointKey|} keeps only exact matches whatever characters the ids contain.
 */
final class SeenSamples {
    /** Ids per stored chunk: bounds the bytes rewritten per sample (~ CHUNK x id length). */
    static final int CHUNK = 64;
    private static final int FORMAT = 2;
    private static final int FAILED = 1;
    private static final int CORRECT = 2;
    private static final StringSerializer KEYS = new StringSerializer();

    /** One write-through of a chunk: put {@code value} under {@code key} in the seen store. */
    record Chunk(String key, byte[] value) {
    }

    private record Group(String evaluationId, String task) {
    }

    /** The ids of one (evaluation, task) and the chunk being filled. */
    private static final class Ids {
        final Set<String> seen = new HashSet<>();
        /** Number of the next chunk to start; the open chunk, when there is one, is the one before. */
        int nextChunk;
        int openCount;
        int countOffset;
        ByteArrayOutputStream openBytes;
        DataOutputStream open;
    }

    private final String checkpointKey;
    private final Map<Group, Ids> groups = new HashMap<>();

    SeenSamples(String checkpointKey) {
        this.checkpointKey = checkpointKey;
    }

    /** Samples recorded so far. */
    int size() {
        return groups.values().stream().mapToInt(ids -> ids.seen.size()).sum();
    }

    /**
     * Records a sample.
     *
     * @return the chunk to write through to the seen store, or null when the sample was seen before (a duplicate)
     */
    Chunk add(SampleScore score) {
        String evaluationId = score.getEvaluationId();
        String task = score.getTask();
        Ids ids = groups.computeIfAbsent(new Group(evaluationId, task), g -> new Ids());
        if (!ids.seen.add(score.getSampleId())) {
            return null;
        }
        try {
            if (ids.open == null || ids.openCount == CHUNK) {
                startChunk(ids, evaluationId, task);
            }
            ids.open.writeUTF(score.getSampleId());
            boolean failed = score.getFailure() != null;
            ids.open.writeByte((failed ? FAILED : 0) | (score.getCorrect() ? CORRECT : 0));
            ids.open.writeDouble(failed ? 0.0 : score.getSds());
            ids.openCount++;
            byte[] value = ids.openBytes.toByteArray();
            ByteBuffer.wrap(value).putInt(ids.countOffset, ids.openCount);
            return new Chunk(chunkKey(evaluationId, task, ids.nextChunk - 1), value);
        } catch (IOException e) {
            throw new SerializationException("cannot encode a seen-samples chunk", e);
        }
    }

    private void startChunk(Ids ids, String evaluationId, String task) throws IOException {
        int chunk = ids.nextChunk++;
        ids.openCount = 0;
        ids.openBytes = new ByteArrayOutputStream(64 + CHUNK * 32);
        ids.open = new DataOutputStream(ids.openBytes);
        ids.open.writeByte(FORMAT);
        ids.open.writeUTF(checkpointKey);
        ids.open.writeUTF(evaluationId);
        ids.open.writeUTF(task);
        ids.open.writeInt(chunk);
        ids.countOffset = ids.open.size();
        ids.open.writeInt(0);
    }

    private String chunkKey(String evaluationId, String task, int chunk) {
        return checkpointKey + "|" + evaluationId + "|" + task + "|" + chunk;
    }

    /**
     * The samples of {@code checkpointKey} as stored, each also counted into {@code totals} (a state read from the
     * checkpoint store, whose totals start at zero). New samples go to fresh chunks after the stored ones.
     */
    static SeenSamples load(KeyValueStore<String, byte[]> store, String checkpointKey, CheckpointState totals) {
        SeenSamples samples = new SeenSamples(checkpointKey);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(checkpointKey + "|", KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                samples.read(entry.key, entry.value, totals);
            }
        }
        return samples;
    }

    /**
     * Deletes every stored chunk of {@code checkpointKey} (a sealed or dropped evaluation).
     *
     * @return the number of samples they held
     */
    static int delete(KeyValueStore<String, byte[]> store, String checkpointKey) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        int samples = 0;
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(checkpointKey + "|", KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> entry = it.next();
                if (entry.value == null) {
                    continue;
                }
                Integer n = StateSerdes.decode(entry.value, FORMAT, "the seen-samples chunk " + entry.key, in -> {
                    if (!in.readUTF().equals(checkpointKey)) {
                        return null; // another checkpoint whose key merely starts with this one's
                    }
                    in.readUTF();
                    in.readUTF();
                    in.readInt();
                    return in.readInt();
                });
                if (n != null) {
                    keys.add(entry.key);
                    samples += n;
                }
            }
        }
        keys.forEach(store::delete); // after the scan: RocksDB iterators and deletes do not mix well
        return samples;
    }

    private void read(String key, byte[] value, CheckpointState totals) {
        if (value == null) {
            return;
        }
        StateSerdes.decode(value, FORMAT, "the seen-samples chunk " + key, in -> {
            if (!in.readUTF().equals(checkpointKey)) {
                return null; // another checkpoint whose key merely starts with this one's
            }
            String evaluationId = in.readUTF();
            String task = in.readUTF();
            int chunk = in.readInt();
            int n = in.readInt();
            Ids ids = groups.computeIfAbsent(new Group(evaluationId, task), g -> new Ids());
            ids.nextChunk = Math.max(ids.nextChunk, chunk + 1);
            for (int i = 0; i < n; i++) {
                String sampleId = in.readUTF();
                int flags = in.readByte();
                double sds = in.readDouble();
                if (ids.seen.add(sampleId)) {
                    totals.count(task, (flags & FAILED) != 0, (flags & CORRECT) != 0, sds);
                }
            }
            return null;
        });
    }
}
