package dev.radar.aggregate;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.events.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serdes of the aggregator's internal state stores (never on public topics, so they are free to be compact).
 * The checkpoint state is rewritten on every sample, hence a hand-written binary format; the rarely written
 * curve state is JSON; alert lists reuse the Avro event encoding.
 */
final class StateSerdes {
    private StateSerdes() {
    }

    private static final int CHECKPOINT_FORMAT = 1;

    static Serde<CheckpointState> checkpoint() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : writeCheckpoint(s),
                (topic, bytes) -> bytes == null ? null : readCheckpoint(bytes));
    }

    static byte[] writeCheckpoint(CheckpointState s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * s.tasks.size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(CHECKPOINT_FORMAT);
            out.writeUTF(s.evaluationId);
            out.writeUTF(s.runId);
            out.writeLong(s.step);
            out.writeLong(s.tokensSeen == null ? -1 : s.tokensSeen);
            out.writeUTF(s.benchmarkVersion);
            out.writeBoolean(s.planned);
            out.writeInt(s.expectedTotal);
            out.writeLong(s.lastEmitMs);
            out.writeInt(s.sinceEmit);
            out.writeInt(s.tasks.size());
            for (var e : s.tasks.entrySet()) {
                CheckpointState.TaskTally t = e.getValue();
                out.writeUTF(e.getKey());
                out.writeUTF(t.source);
                out.writeUTF(t.ability);
                out.writeUTF(t.fineAbility);
                out.writeInt(t.expected);
                out.writeInt(t.scored);
                out.writeInt(t.correct);
                out.writeInt(t.failed);
                out.writeDouble(t.sum);
                out.writeDouble(t.sumSq);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot encode checkpoint state", e);
        }
    }

    static CheckpointState readCheckpoint(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readByte();
            if (format != CHECKPOINT_FORMAT) {
                throw new SerializationException("unknown checkpoint state format " + format);
            }
            CheckpointState s = new CheckpointState();
            s.evaluationId = in.readUTF();
            s.runId = in.readUTF();
            s.step = in.readLong();
            long tokens = in.readLong();
            s.tokensSeen = tokens < 0 ? null : tokens;
            s.benchmarkVersion = in.readUTF();
            s.planned = in.readBoolean();
            s.expectedTotal = in.readInt();
            s.lastEmitMs = in.readLong();
            s.sinceEmit = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                CheckpointState.TaskTally t = new CheckpointState.TaskTally();
                t.source = in.readUTF();
                t.ability = in.readUTF();
                t.fineAbility = in.readUTF();
                t.expected = in.readInt();
                t.scored = in.readInt();
                t.correct = in.readInt();
                t.failed = in.readInt();
                t.sum = in.readDouble();
                t.sumSq = in.readDouble();
                s.tasks.put(name, t);
            }
            return s;
        } catch (IOException e) {
            throw new SerializationException("cannot decode checkpoint state", e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((topic, v) -> {
            try {
                return v == null ? null : JSON.writeValueAsBytes(v);
            } catch (IOException e) {
                throw new SerializationException("cannot encode " + type.getSimpleName(), e);
            }
        }, (topic, bytes) -> {
            try {
                return bytes == null ? null : JSON.readValue(bytes, type);
            } catch (IOException e) {
                throw new SerializationException("cannot decode " + type.getSimpleName(), e);
            }
        });
    }

    /** A list of Avro records: count, then each record's single-object encoding with its length. */
    static <T extends SpecificRecord> Serde<List<T>> avroList(Class<T> type) {
        AvroSerde<T> avro = AvroSerde.of(type);
        return Serdes.serdeFrom((topic, list) -> {
            if (list == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                out.writeInt(list.size());
                for (T item : list) {
                    byte[] b = avro.encode(item);
                    out.writeInt(b.length);
                    out.write(b);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new SerializationException("cannot encode a list of " + type.getSimpleName(), e);
            }
        }, (topic, data) -> {
            if (data == null) {
                return null;
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                int n = in.readInt();
                List<T> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    byte[] b = new byte[in.readInt()];
                    in.readFully(b);
                    out.add(avro.decode(b));
                }
                return out;
            } catch (IOException e) {
                throw new SerializationException("cannot decode a list of " + type.getSimpleName(), e);
            }
        });
    }
}
