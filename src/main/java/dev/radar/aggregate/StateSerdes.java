package dev.radar.aggregate;

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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serdes of the aggregator's internal state stores (never on public topics, so they are free to be compact).
 * Checkpoint states and run curves have hand-written binary formats; alert lists reuse the Avro event encoding.
 */
final class StateSerdes {
    private StateSerdes() {
    }

    /** Writes one value's fields. */
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads one value's fields, after its format byte. */
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** The bytes {@code writer} writes; {@code what} names the value in the error. */
    static byte[] encode(String what, Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + what, e);
        }
    }

    /** Checks the leading format byte of {@code data} against {@code format}, then reads the rest with {@code reader}. */
    static <T> T decode(byte[] data, int format, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int found = in.readByte();
            if (found != format) {
                throw new SerializationException("unknown format " + found + " of " + what);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new SerializationException("cannot decode " + what, e);
        }
    }

    /**
     * 4: one state per evaluation (plan offset, sealed totals). States of format 3 were keyed per (run, step,
     * version) without the evaluation id, so no key of this format ever reaches them: they are not read.
     */
    private static final int CHECKPOINT_FORMAT = 4;

    static Serde<CheckpointState> checkpoint() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : writeCheckpoint(s),
                (topic, bytes) -> bytes == null ? null : readCheckpoint(bytes));
    }

    /**
     * The stored part of a checkpoint state: ids, plan, taxonomy and report bookkeeping, without the per-task totals,
     * which {@link SeenSamples} stores with each sample and rebuilds on load (a sealed state has none: its report is
     * final and it never reports again). Each task's name and taxonomy are encoded once and copied after that.
     */
    static byte[] writeCheckpoint(CheckpointState s) {
        byte[] strings = utf(s.evaluationId, s.runId, s.benchmarkVersion);
        int size = 1 + strings.length + 8 + 8 + 1 + 4 + 8 + 4 + 8 + 1 + 4;
        for (var e : s.tasks.entrySet()) {
            CheckpointState.TaskTally t = e.getValue();
            if (t.encodedTaxonomy == null) {
                t.encodedTaxonomy = utf(e.getKey(), t.source(), t.ability(), t.fineAbility());
            }
            size += t.encodedTaxonomy.length + 4;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) CHECKPOINT_FORMAT).put(strings);
        out.putLong(s.step).putLong(s.tokensSeen == null ? -1 : s.tokensSeen).put((byte) (s.planned ? 1 : 0))
                .putInt(s.expectedTotal).putLong(s.lastEmitMs).putInt(s.sinceEmit)
                .putLong(s.planOffset).put((byte) (s.sealed ? 1 : 0)).putInt(s.tasks.size());
        for (CheckpointState.TaskTally t : s.tasks.values()) {
            out.put(t.encodedTaxonomy).putInt(t.expected);
        }
        return out.array();
    }

    /** Strings as {@link DataOutputStream#writeUTF} writes them, so that {@link DataInputStream#readUTF} reads them. */
    private static byte[] utf(String... strings) {
        return encode("checkpoint state", out -> {
            for (String string : strings) {
                out.writeUTF(string);
            }
        });
    }

    /** The stored part of a checkpoint state; its totals are zero until {@link SeenSamples#load} adds them. */
    static CheckpointState readCheckpoint(byte[] data) {
        return decode(data, CHECKPOINT_FORMAT, "checkpoint state", in -> {
            CheckpointState s = new CheckpointState();
            s.evaluationId = in.readUTF();
            s.runId = in.readUTF();
            s.benchmarkVersion = in.readUTF();
            s.step = in.readLong();
            long tokens = in.readLong();
            s.tokensSeen = tokens < 0 ? null : tokens;
            s.planned = in.readBoolean();
            s.expectedTotal = in.readInt();
            s.lastEmitMs = in.readLong();
            s.sinceEmit = in.readInt();
            s.planOffset = in.readLong();
            s.sealed = in.readBoolean();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                CheckpointState.TaskTally t = new CheckpointState.TaskTally();
                t.taxonomy(in.readUTF(), in.readUTF(), in.readUTF());
                t.expected = in.readInt();
                s.tasks.put(name, t);
            }
            return s;
        });
    }

    /** 2 added each point's level, sample count and chance level and each version's steps in flight; 1 still reads. */
    private static final int CURVES_FORMAT = 2;
    private static final int CURVES_FORMAT_1 = 1;

    /**
     * Run curves, rewritten on every complete checkpoint of the run: a binary format, since a curve holds up to
     * {@code aggregator.curve.max.steps} checkpoints and JSON spends most of its time printing their doubles.
     */
    static Serde<RunCurves> curves() {
        return Serdes.serdeFrom((topic, c) -> c == null ? null : writeCurves(c),
                (topic, bytes) -> bytes == null ? null : readCurves(bytes));
    }

    static byte[] writeCurves(RunCurves run) {
        return encode("run curves", out -> {
            out.writeByte(CURVES_FORMAT);
            out.writeBoolean(run.latestVersion != null);
            out.writeUTF(run.latestVersion == null ? "" : run.latestVersion);
            out.writeInt(run.versions.size());
            for (var version : run.versions.entrySet()) {
                out.writeUTF(version.getKey());
                out.writeBoolean(version.getValue().stagnating);
                out.writeInt(version.getValue().inFlight.size());
                for (long step : version.getValue().inFlight) {
                    out.writeLong(step);
                }
                out.writeInt(version.getValue().points.size());
                for (var checkpoint : version.getValue().points.entrySet()) {
                    out.writeLong(checkpoint.getKey());
                    out.writeUTF(checkpoint.getValue().evaluationId());
                    out.writeInt(checkpoint.getValue().abilities().size());
                    for (var ability : checkpoint.getValue().abilities().entrySet()) {
                        CurvePoint p = ability.getValue();
                        out.writeUTF(ability.getKey());
                        out.writeLong(p.step());
                        out.writeLong(p.tokensSeen() == null ? -1 : p.tokensSeen());
                        out.writeDouble(p.sds());
                        out.writeDouble(p.accuracy());
                        out.writeDouble(p.stderr());
                        out.writeUTF(p.level());
                        out.writeInt(p.samples());
                        out.writeDouble(p.chance());
                    }
                }
            }
        });
    }

    static RunCurves readCurves(byte[] data) {
        int format = data.length == 0 ? -1 : data[0];
        return decode(data, format == CURVES_FORMAT_1 ? CURVES_FORMAT_1 : CURVES_FORMAT, "run curves", in -> {
            RunCurves run = new RunCurves();
            boolean hasLatest = in.readBoolean();
            String latest = in.readUTF();
            run.latestVersion = hasLatest ? latest : null;
            int versions = in.readInt();
            for (int v = 0; v < versions; v++) {
                RunCurves.VersionCurve curve = new RunCurves.VersionCurve();
                run.versions.put(in.readUTF(), curve);
                curve.stagnating = in.readBoolean();
                if (format != CURVES_FORMAT_1) {
                    int inFlight = in.readInt();
                    for (int i = 0; i < inFlight; i++) {
                        curve.inFlight.add(in.readLong());
                    }
                }
                int points = in.readInt();
                for (int i = 0; i < points; i++) {
                    long step = in.readLong();
                    String evaluationId = in.readUTF();
                    int n = in.readInt();
                    Map<String, CurvePoint> abilities = new LinkedHashMap<>();
                    for (int a = 0; a < n; a++) {
                        String name = in.readUTF();
                        long pointStep = in.readLong();
                        long tokens = in.readLong();
                        double sds = in.readDouble();
                        double accuracy = in.readDouble();
                        double stderr = in.readDouble();
                        boolean v1 = format == CURVES_FORMAT_1;
                        // Format 1 kept no level: top-level names are the two abilities, the rest fine.
                        String level = v1 ? (name.equals(CheckpointState.PERCEPTION) || name.equals(CheckpointState.REASONING)
                                ? "ability" : "fine") : in.readUTF();
                        int samples = v1 ? -1 : in.readInt();
                        double chance = v1 ? Double.NaN : in.readDouble();
                        abilities.put(name, new CurvePoint(pointStep, tokens < 0 ? null : tokens, level, sds, accuracy,
                                stderr, samples, chance));
                    }
                    curve.points.put(step, new RunCurves.Checkpoint(evaluationId, abilities));
                }
            }
            return run;
        });
    }

    /** A list of Avro records: count, then each record's single-object encoding with its length. */
    static <T extends SpecificRecord> Serde<List<T>> avroList(Class<T> type) {
        AvroSerde<T> avro = AvroSerde.of(type);
        return Serdes.serdeFrom((topic, list) -> {
            if (list == null) {
                return null;
            }
            return encode("a list of " + type.getSimpleName(), out -> {
                out.writeInt(list.size());
                for (T item : list) {
                    byte[] b = avro.encode(item);
                    out.writeInt(b.length);
                    out.write(b);
                }
            });
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
