package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;
import org.apache.kafka.common.serialization.Serde;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The questions one aggregator replica asks another ({@link ReplicaQueries}, over HTTP at
 * {@code GET /replica/<query>?run=R}) and the bytes of the answers ({@link AggregatorService#replicaAnswer}): Avro
 * for events, the state-store encodings otherwise. Both ends run the same build behind one Service.
 */
final class ReplicaCodec {
    private static final int FORMAT = 2;
    static final Serde<List<AbilityReport>> REPORTS = StateSerdes.avroList(AbilityReport.class);
    static final Serde<List<AbilityAlert>> ALERTS = StateSerdes.avroList(AbilityAlert.class);
    static final Serde<List<DeadLetter>> FAILURES = StateSerdes.avroList(DeadLetter.class);

    /** Path prefix of the questions on the HTTP server; the query name follows. */
    static final String PATH = "/replica/";
    /** The query names; each but {@code runs} needs a run id. */
    static final List<String> QUERIES = List.of("runs", "reports", "history", "curves", "alerts", "failures",
            "curves-version");

    private ReplicaCodec() {
    }

    /**
     * The encoded answer of {@code local} to {@code query}.
     *
     * @throws IllegalArgumentException for an unknown query, or a missing run id where one is needed
     */
    static byte[] answer(StoreQueries local, String query, String run) {
        if (!QUERIES.contains(query)) {
            throw new IllegalArgumentException("unknown replica query '" + query + "'; known: " + QUERIES);
        }
        if (!query.equals("runs") && (run == null || run.isBlank())) {
            throw new IllegalArgumentException("replica query '" + query + "' needs the parameter run");
        }
        return switch (query) {
            case "runs" -> encodeRuns(local.runs());
            case "reports" -> REPORTS.serializer().serialize("", local.reports(run));
            case "history" -> REPORTS.serializer().serialize("", local.history(run));
            case "curves" -> encodeCurves(local.curves(run));
            case "alerts" -> ALERTS.serializer().serialize("", local.alerts(run));
            case "failures" -> FAILURES.serializer().serialize("", local.failures(run));
            case "curves-version" -> local.curvesVersion(run).orElse("").getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalStateException("query listed but not answered: " + query);
        };
    }

    static byte[] encodeRuns(List<String> runs) {
        return StateSerdes.encode("run ids", out -> {
            out.writeByte(FORMAT);
            out.writeInt(runs.size());
            for (String run : runs) {
                out.writeUTF(run);
            }
        });
    }

    static List<String> decodeRuns(byte[] data) {
        return StateSerdes.decode(data, FORMAT, "run ids", in -> {
            int n = in.readInt();
            List<String> runs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                runs.add(in.readUTF());
            }
            return runs;
        });
    }

    static byte[] encodeCurves(Map<String, List<CurvePoint>> curves) {
        return StateSerdes.encode("curves", out -> {
            out.writeByte(FORMAT);
            out.writeInt(curves.size());
            for (var curve : curves.entrySet()) {
                out.writeUTF(curve.getKey());
                out.writeInt(curve.getValue().size());
                for (CurvePoint p : curve.getValue()) {
                    out.writeLong(p.step());
                    out.writeLong(p.tokensSeen() == null ? -1 : p.tokensSeen());
                    out.writeUTF(p.level());
                    out.writeDouble(p.sds());
                    out.writeDouble(p.accuracy());
                    out.writeDouble(p.stderr());
                    out.writeInt(p.samples());
                    out.writeDouble(p.chance());
                }
            }
        });
    }

    static Map<String, List<CurvePoint>> decodeCurves(byte[] data) {
        return StateSerdes.decode(data, FORMAT, "curves", in -> {
            int n = in.readInt();
            Map<String, List<CurvePoint>> curves = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String ability = in.readUTF();
                int points = in.readInt();
                List<CurvePoint> list = new ArrayList<>(points);
                for (int j = 0; j < points; j++) {
                    long step = in.readLong();
                    long tokens = in.readLong();
                    list.add(new CurvePoint(step, tokens < 0 ? null : tokens, in.readUTF(), in.readDouble(),
                            in.readDouble(), in.readDouble(), in.readInt(), in.readDouble()));
                }
                curves.put(ability, list);
            }
            return curves;
        });
    }
}
