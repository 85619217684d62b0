package dev.radar.aggregate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.radar.RadarException;
import dev.radar.events.AbilityReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Serves this replica's local stores to the other replicas of the aggregator, at the address announced as Kafka
 * Streams' {@code application.server} ({@code aggregator.replica.endpoint}). Internal: answers only
 * {@code GET /replica/{runs|reports|history|curves|alerts}?run=...} in {@link ReplicaCodec} bytes, never the page or
 * the public API, and never asks another replica (so no request loops).
 */
final class ReplicaEndpoint implements AutoCloseable {
    static final String PATH = "/replica/";
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaEndpoint.class);

    private final HttpServer server;
    private final ExecutorService pool;

    ReplicaEndpoint(String host, int port, AbilityQueries local, Function<String, List<AbilityReport>> localHistory) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new RadarException("cannot listen for aggregator replicas on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "aggregator-replica-endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext(PATH, exchange -> {
            try (exchange) {
                answer(exchange, local, localHistory);
            } catch (RuntimeException e) {
                LOG.warn("replica query {} failed: {}", exchange.getRequestURI(), e.toString());
            }
        });
        server.start();
    }

    private static void answer(HttpExchange exchange, AbilityQueries local, Function<String, List<AbilityReport>> history)
            throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        String what = exchange.getRequestURI().getPath().substring(PATH.length());
        String run = run(exchange.getRequestURI().getRawQuery());
        byte[] body = switch (what) {
            case "runs" -> ReplicaCodec.encodeRuns(local.runs());
            case "reports" -> ReplicaCodec.REPORTS.serializer().serialize("", local.reports(run));
            case "history" -> ReplicaCodec.REPORTS.serializer().serialize("", history.apply(run));
            case "curves" -> ReplicaCodec.encodeCurves(local.curves(run));
            case "alerts" -> ReplicaCodec.ALERTS.serializer().serialize("", local.alerts(run));
            case "failures" -> ReplicaCodec.FAILURES.serializer().serialize("", local.failures(run));
            case "curves-version" -> local.curvesVersion(run).orElse("").getBytes(StandardCharsets.UTF_8);
            default -> null;
        };
        if (body == null || (run == null && !what.equals("runs"))) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String run(String rawQuery) {
        if (rawQuery == null || !rawQuery.startsWith("run=")) {
            return null;
        }
        return URLDecoder.decode(rawQuery.substring(4), StandardCharsets.UTF_8);
    }

    /** The port it listens on (the configured one, or the one picked for port 0). */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
