package dev.radar.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.radar.RadarException;
import dev.radar.Service;
import dev.radar.aggregate.AbilityQueries;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.metrics.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * RADAR's web page and REST API (JDK HTTP server; no servlet container needed).
 *
 * <ul>
 *   <li>{@code GET /} the live page; {@code GET /api/...}: JSON from the aggregator's interactive queries
 *       ({@link ApiRoutes})</li>
 *   <li>{@code POST /api/checkpoints}: a CheckpointSaved as JSON, for training jobs that prefer HTTP; protected by
 *       {@code Authorization: Bearer TOKEN} when {@code web.token} is set</li>
 *   <li>{@code GET /metrics} (when a Prometheus registry is given) and {@code GET /health}</li>
 * </ul>
 */
public final class WebServer implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final WebConfig config;
    private final CheckpointPublisher publisher;
    private final PrometheusMeterRegistry prometheus;
    private final ApiRoutes api;
    private final CheckpointValidator validator;
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param publisher  where POST /api/checkpoints goes; null disables the endpoint (503)
     * @param prometheus registry scraped at /metrics; null disables it
     */
    public WebServer(WebConfig config, AbilityQueries queries, CheckpointPublisher publisher,
                     PrometheusMeterRegistry prometheus) {
        this(config, queries, publisher, prometheus, new CheckpointValidator(List.of()));
    }

    /** @param validator the planner's checks, run on POST /api/checkpoints before publishing (422 when it rejects) */
    public WebServer(WebConfig config, AbilityQueries queries, CheckpointPublisher publisher,
                     PrometheusMeterRegistry prometheus, CheckpointValidator validator) {
        this.api = new ApiRoutes(queries);
        this.validator = validator;
        this.config = config;
        this.publisher = publisher;
        this.prometheus = prometheus;
    }

    @Override
    public String name() {
        return "web";
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        server = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 64);
        executor = Executors.newFixedThreadPool(config.threads(), r -> new Thread(r, "radar-web"));
        server.setExecutor(executor);
        server.createContext("/", ex -> handle(ex, this::route));
        if (prometheus != null) {
            server.createContext("/metrics", MetricsServer.metricsHandler(prometheus));
        }
        server.start();
        LOG.info("web page at {}", url());
    }

    public String url() {
        String host = config.bind().equals("0.0.0.0") ? "127.0.0.1" : config.bind();
        return "http://" + host + ":" + port() + "/";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    /** A response: status, content type, body. */
    private record Reply(int status, String type, byte[] body) {
        static Reply json(int status, Object value) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Reply error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    @FunctionalInterface
    private interface Route {
        Reply apply(HttpExchange ex) throws IOException;
    }

    private void handle(HttpExchange ex, Route route) throws IOException {
        Reply reply;
        try {
            reply = route.apply(ex);
        } catch (RadarException | IllegalArgumentException e) {
            reply = Reply.error(400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            reply = Reply.error(500, e.toString());
        }
        ex.getResponseHeaders().set("Content-Type", reply.type());
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private Reply route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/api/checkpoints")) {
            return method.equals("POST") ? postCheckpoint(ex) : Reply.error(405, "use POST");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Reply.error(405, "method " + method + " not allowed on " + path);
        }
        Map<String, String> q = query(ex);
        return switch (path) {
            case "/", "/index.html" -> resource("web/index.html", "text/html; charset=utf-8");
            case "/health" -> Reply.json(200, Map.of("status", "up"));
            case "/metrics" -> Reply.error(404, "metrics are served on the metrics port (metrics.port)");
            default -> api.get(path, q).map(a -> Reply.json(a.status(), a.body()))
                    .orElseGet(() -> Reply.error(404, "no such page: " + path));
        };
    }

    private Reply postCheckpoint(HttpExchange ex) throws IOException {
        if (config.token() != null && !authorized(ex.getRequestHeaders().getFirst("Authorization"))) {
            return Reply.error(401, "missing or wrong bearer token (web.token is set)");
        }
        if (publisher == null) {
            return Reply.error(503, "publishing is not enabled on this server");
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            return Reply.error(413, "body larger than " + MAX_BODY + " bytes");
        }
        ApiRoutes.Answer answer = new CheckpointIntake(validator, publisher).accept(parseCheckpoint(body));
        return Reply.json(answer.status(), answer.body());
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
                .setStep(number(n, "step", true))
                .setCheckpointUri(text(n, "checkpointUri", true))
                .setReevaluate(n.path("reevaluate").asBoolean(false));
        if (n.hasNonNull("tokensSeen")) {
            b.setTokensSeen(number(n, "tokensSeen", true));
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

    private static long number(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new RadarException("missing field '" + field + "'");
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new RadarException("field '" + field + "' must be an integer");
        }
        return v.asLong();
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        // constant-time comparison: the token guards who may trigger evaluations
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                config.token().getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int i = pair.indexOf('=');
            if (i > 0) {
                out.put(URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Reply resource(String name, String type) throws IOException {
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return Reply.error(500, "missing resource " + name);
            }
            return new Reply(200, type, in.readAllBytes());
        }
    }
}
