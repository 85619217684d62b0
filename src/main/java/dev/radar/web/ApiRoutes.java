package dev.radar.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.RadarException;
import dev.radar.aggregate.AbilityQueries;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AlertKind;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.kafka.CheckpointPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The read side of the REST API, answering from the aggregator's queries. Every answer is JSON, errors included
 * ({@code {"error": ...}}): 400 for a missing or malformed parameter, 404 for a run (or a run's step) the aggregator
 * does not know.
 *
 * <ul>
 *   <li>{@code GET /api/runs}: every run with its checkpoint counts, latest steps, stagnating abilities, failed
 *       checkpoints and the attributes of its newest report</li>
 *   <li>{@code GET /api/reports?run=R[&step=S][&tasks=false]}: the run's reports by step (only step S when given;
 *       without the per-task lists when {@code tasks=false}), each with {@code status} complete, partial or failed;
 *       a step that failed before any score is an entry with {@code status: failed} and its {@code failures}</li>
 *   <li>{@code GET /api/curves?run=R}: ability name to points by step (complete checkpoints of the benchmark
 *       version completed last), each with level, benchmark version, SDS, accuracy, standard error, n and chance</li>
 *   <li>{@code GET /api/alerts?run=R}, {@code GET /api/failures?run=R}</li>
 *   <li>{@code POST /api/checkpoints}: a CheckpointSaved as JSON, for training jobs that prefer HTTP (the server
 *       checks the token and Content-Type of every write); checked with the planner's rules first
 *       ({@link CheckpointIntake}: 422 with the reason); {@code reevaluate=true} schedules a full evaluation again,
 *       so it needs the token even where anonymous writes are allowed (loopback without {@code web.token})</li>
 *   <li>{@code GET /} the live page</li>
 * </ul>
 */
public final class ApiRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: HTTP status and the value to write as JSON. */
    record Answer(int status, Object body) {
        static Answer ok(Object body) {
            return new Answer(200, body);
        }

        static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }
    }

    private final AbilityQueries queries;
    private final CheckpointIntake intake;

    private ApiRoutes(AbilityQueries queries, CheckpointIntake intake) {
        this.queries = queries;
        this.intake = intake;
    }

    /**
     * Adds the page and API routes to {@code server}.
     *
     * @param publisher where POST /api/checkpoints goes; null: the route is not added
     * @param validator the planner's checks, run on every POST before publishing
     */
    public static void addTo(WebServer server, AbilityQueries queries, CheckpointPublisher publisher,
                             CheckpointValidator validator) {
        ApiRoutes api = new ApiRoutes(queries, publisher == null ? null : new CheckpointIntake(validator, publisher));
        WebRoute page = r -> resource("web/index.html", "text/html; charset=utf-8");
        server.get("/", page).get("/index.html", page);
        for (String path : List.of("/api/runs", "/api/reports", "/api/curves", "/api/alerts", "/api/failures")) {
            server.get(path, r -> api.get(path, r.query()).map(a -> WebReply.json(a.status(), a.body()))
                    .orElseGet(() -> WebReply.error(404, "no such page: " + path)));
        }
        if (publisher != null) {
            server.post("/api/checkpoints", api::postCheckpoint);
        }
    }

    /** The answer to {@code GET path?query}; empty when {@code path} is not one of these routes. */
    Optional<Answer> get(String path, Map<String, String> query) {
        return Optional.ofNullable(switch (path) {
            case "/api/runs" -> Answer.ok(runs());
            case "/api/reports" -> withRun(query, run -> reports(run, query));
            case "/api/curves" -> withRun(query, run -> Answer.ok(
                    ApiJson.curves(queries.curves(run), queries.curvesVersion(run).orElse(null))));
            case "/api/alerts" -> withRun(query, run -> Answer.ok(queries.alerts(run).stream().map(ApiJson::alert).toList()));
            case "/api/failures" -> withRun(query, run -> Answer.ok(queries.failures(run).stream().map(ApiJson::failure).toList()));
            default -> null;
        });
    }

    private Answer withRun(Map<String, String> query, java.util.function.Function<String, Answer> answer) {
        String run = query.get("run");
        if (run == null || run.isBlank()) {
            return Answer.error(400, "query parameter 'run' is required");
        }
        if (!queries.runs().contains(run)) {
            return Answer.error(404, "unknown run '" + run + "'");
        }
        return answer.apply(run);
    }

    private Answer reports(String run, Map<String, String> query) {
        Long step = null;
        if (query.containsKey("step")) {
            try {
                step = Long.parseLong(query.get("step"));
            } catch (NumberFormatException e) {
                return Answer.error(400, "query parameter 'step' must be an integer, was '" + query.get("step") + "'");
            }
        }
        boolean withTasks = !"false".equals(query.get("tasks"));
        Map<Long, List<DeadLetter>> failedSteps = queries.failures(run).stream().filter(d -> d.getStep() != null)
                .collect(Collectors.groupingBy(DeadLetter::getStep, TreeMap::new, Collectors.toList()));
        TreeMap<Long, List<Map<String, Object>>> bySteps = new TreeMap<>();
        for (AbilityReport r : queries.reports(run)) {
            Map<String, Object> m = ApiJson.report(r, withTasks);
            List<DeadLetter> failed = failedSteps.remove(r.getStep());
            if (failed != null && !r.getComplete()) {
                // Scores came, then the checkpoint failed (e.g. a shard dead-lettered): it will not complete.
                m.put("status", "failed");
                m.put("failures", failed.stream().map(ApiJson::failure).toList());
            }
            bySteps.computeIfAbsent(r.getStep(), s -> new ArrayList<>()).add(m);
        }
        failedSteps.forEach((s, letters) -> bySteps.computeIfAbsent(s, x -> new ArrayList<>())
                .add(ApiJson.failedStep(run, s, letters)));
        if (step != null) {
            List<Map<String, Object>> one = bySteps.get(step);
            return one == null ? Answer.error(404, "run '" + run + "' has no step " + step) : Answer.ok(one);
        }
        return Answer.ok(bySteps.values().stream().flatMap(List::stream).toList());
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
            List<DeadLetter> failures = queries.failures(run);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", run);
            m.put("checkpoints", reports.size());
            m.put("completeCheckpoints", reports.stream().filter(AbilityReport::getComplete).count());
            m.put("failedCheckpoints", failures.stream().map(DeadLetter::getStep).distinct().count());
            m.put("latestStep", newest.map(AbilityReport::getStep).orElse(null));
            m.put("latestProgress", newest.map(AbilityReport::getProgress).orElse(null));
            m.put("latestCompleteStep", complete.map(AbilityReport::getStep).orElse(null));
            m.put("perceptionReasoningGap", complete.map(AbilityReport::getPerceptionReasoningGap).orElse(null));
            m.put("stagnating", stagnating.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList());
            m.put("attributes", newest.map(r -> (Object) new TreeMap<>(r.getAttributes())).orElse(Map.of()));
            m.put("latestFailure", failures.stream().max(Comparator.comparingLong(DeadLetter::getFailedAtMs))
                    .filter(Objects::nonNull).map(ApiJson::failure).orElse(null));
            out.add(m);
        }
        return out;
    }

    private WebReply postCheckpoint(WebRequest request) {
        CheckpointSaved event = parseCheckpoint(request.body());
        if (event.getReevaluate() && !request.authenticated()) {
            return WebReply.error(403, "reevaluate=true schedules a full evaluation: it needs the bearer token (set web.token)");
        }
        Answer answer = intake.accept(event);
        return WebReply.json(answer.status(), answer.body());
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
