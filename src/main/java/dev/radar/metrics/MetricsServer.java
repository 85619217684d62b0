package dev.radar.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.radar.RadarException;
import dev.radar.Service;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Serves {@code /metrics} (Prometheus text format 0.0.4) and {@code /health} on the JDK's built-in HTTP server,
 * for components without a web server of their own. {@code radar web} mounts {@link #metricsHandler} instead.
 */
public final class MetricsServer implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final RadarMetrics metrics;
    private final MetricsConfig config;
    private final BooleanSupplier healthy;
    private HttpServer server;
    private ExecutorService executor;

    public MetricsServer(RadarMetrics metrics, MetricsConfig config) {
        this(metrics, config, () -> true);
    }

    /** {@code healthy} decides whether /health answers 200 or 503 (e.g. Kafka Streams not RUNNING). */
    public MetricsServer(RadarMetrics metrics, MetricsConfig config, BooleanSupplier healthy) {
        this.metrics = metrics;
        this.config = config;
        this.healthy = healthy;
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null || !config.enabled()) {
            return;
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        s.createContext("/metrics", metricsHandler(metrics.registry()));
        s.createContext("/health", exchange -> {
            boolean ok = healthy.getAsBoolean();
            respond(exchange, ok ? 200 : 503, "application/json", ok ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
        });
        // One daemon thread: scrapes are rare and cheap, and it must never keep the JVM alive.
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "radar-metrics-http");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.start();
        server = s;
        LOG.info("metrics on http://{}:{}/metrics", config.host(), port());
    }

    /** The bound port (the real one when {@code metrics.port=0}). */
    public synchronized int port() {
        if (server == null) {
            throw new RadarException("metrics server not started");
        }
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

    @Override
    public String name() {
        return "metrics";
    }

    /** GET handler writing the registry's Prometheus text exposition. */
    public static HttpHandler metricsHandler(PrometheusMeterRegistry registry) {
        return exchange -> {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "text/plain", "GET only");
                return;
            }
            respond(exchange, 200, CONTENT_TYPE, registry.scrape());
        };
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }
}
