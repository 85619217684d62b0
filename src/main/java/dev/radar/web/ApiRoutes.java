package dev.radar.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.RadarException;
import dev.radar.aggregate.AbilityQueries;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AlertKind;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web page and REST API, added to the aggregator process's {@link WebServer}.
 *
 * <ul>
 *   <li>{@code GET /} the live page; {@code GET /api/runs}, {@code /api/reports?run=R}, {@code /api/curves?run=R},
 *       {@code /api/alerts?run=R}: JSON from the aggregator's interactive queries</li>
 *   <li>{@code POST /api/checkpoints}: a CheckpointSaved as JSON, for training jobs that prefer HTTP (the server
 *       checks the token and Content-Type of every write); {@code reevaluate=true} schedules a full evaluation again,
 *       so it needs the token even where anonymous writes are allowed (loopback without {@code web.token})</li>
 * </ul>
 */
public final class ApiRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AbilityQueries queries;
    private final CheckpointPublisher publisher;

    /** @param publisher where POST /api/checkpoints goes; null: the route is not added */
    private ApiRoutes(AbilityQueries queries, CheckpointPublisher publisher) {
        this.queries = queries;
        this.publisher = publisher;
    }

    /** Adds the page and API routes to {@code server}. */
    public static void addTo(WebServer server, AbilityQueries queries, CheckpointPublisher publisher) {
        ApiRoutes api = new ApiRoutes(queries, publisher);
        WebRoute page = r -> resource("web/index.html", "text/html; charset=utf-8");
        server.get("/", page).get("/index.html", page)
                .get("/api/runs", r -> WebReply.json(200, api.runs()))
                .get("/api/reports", r -> WebReply.json(200,
                        queries.reports(r.requiredParameter("run")).stream().map(ApiJson::report).toList()))
                .get("/api/curves", r -> WebReply.json(200, ApiJson.curves(queries.curves(r.requiredParameter("run")))))
                .get("/api/alerts", r -> WebReply.json(200,
                        queries.alerts(r.requiredParameter("run")).stream().map(ApiJson::alert).toList()));
        if (publisher != null) {
            server.post("/api/checkpoints", api::postCheckpoint);
        }
    }

    private List<Map<String, Object>> runs() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String run : queries.runs()) {
            List<AbilityReport> reports = queries.reports(run);
            Optional<AbilityReport> newest = reports.stream().max(Comparator.comparingLong(AbilityReport::getStep));
            Optional<AbilityReport> complete = queries.latestComplete(run);
            Map<String, Boolean> stagnating = new LinkedHashMap<>();
            for (AbilityAlert a : queries.alerts(run)) {
                stagnating.put(a.getAbility(), a.getKind() == AlertKind.STAGNATION);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", run);
            m.put("checkpoints", reports.size());
            m.put("completeCheckpoints", reports.stream().filter(AbilityReport::getComplete).count());
            m.put("latestStep", newest.map(AbilityReport::getStep).orElse(null));
            m.put("latestProgress", newest.map(AbilityReport::getProgress).orElse(null));
            m.put("latestCompleteStep", complete.map(AbilityReport::getStep).orElse(null));
            m.put("perceptionReasoningGap", complete.map(AbilityReport::getPerceptionReasoningGap).orElse(null));
            m.put("stagnating", stagnating.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList());
            out.add(m);
        }
        return out;
    }

    private WebReply postCheckpoint(WebRequest request) {
        CheckpointSaved event = parseCheckpoint(request.body());
        if (event.getReevaluate() && !request.authenticated()) {
            return WebReply.error(403, "reevaluate=true schedules a full evaluation: it needs the bearer token (set web.token)");
        }
        RecordMetadata md = publisher.publish(event);
        return WebReply.json(202, Map.of("published", true, "runId", event.getRunId(), "step", event.getStep(),
                "topic", md.topic(), "partition", md.partition(), "offset", md.offset()));
    }

    /** Parses the POST body; the error names the field that is wrong. */
    static CheckpointSaved parseCheckpoint(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new RadarException("body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new RadarException("body must be a JSON object");
        }
        CheckpointSaved.Builder b = CheckpointSaved.newBuilder()
                .setRunId(text(n, "runId", true))
                .setStep(number(n, "step"))
                .setCheckpointUri(text(n, "checkpointUri", true))
                .setReevaluate(n.path("reevaluate").asBoolean(false));
        if (n.hasNonNull("tokensSeen")) {
            b.setTokensSeen(number(n, "tokensSeen"));
        }
        Optional.ofNullable(text(n, "benchmark", false)).ifPresent(b::setBenchmark);
        Optional.ofNullable(text(n, "modelFormat", false)).ifPresent(b::setModelFormat);
        Map<String, String> attrs = new HashMap<>();
        n.path("attributes").fields().forEachRemaining(e -> attrs.put(e.getKey(), e.getValue().asText()));
        return b.setAttributes(attrs).build();
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new RadarException("missing field '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new RadarException("field '" + field + "' must be a string");
        }
        return v.asText();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new RadarException("missing field '" + field + "'");
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new RadarException("field '" + field + "' must be an integer");
        }
        return v.asLong();
    }

    private static WebReply resource(String name, String type) throws IOException {
        try (InputStream in = ApiRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return WebReply.error(500, "missing resource " + name);
            }
            return new WebReply(200, type, in.readAllBytes());
        }
    }
}
