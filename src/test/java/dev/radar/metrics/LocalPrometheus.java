package dev.radar.metrics;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus (the Debian package's binary) run by a test on a free loopback port, with its data and log in
 * the test's folder; {@link #close} stops it. Where it is not installed the test is skipped, saying so.
 */
final class LocalPrometheus implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path log;
    private final String url;

    private LocalPrometheus(Process process, Path log, String url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /** The executable; skips the calling test where the package is missing (call it before costly set-up). */
    static Path requireInstalled() {
        Path prometheus = PromQueries.tool("prometheus").orElse(null);
        assumeTrue(prometheus != null, "prometheus not installed (Debian package 'prometheus'); skipped");
        return prometheus;
    }

    /** Starts Prometheus with {@code config} (written to {@code dir}/prometheus.yml); data and log under {@code dir}. */
    static LocalPrometheus start(Path dir, String config) throws IOException {
        Path prometheus = requireInstalled();
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new LocalPrometheus(process, log, "http://127.0.0.1:" + port);
    }

    /** POSTs {@code promql} to /api/v1/query; null while Prometheus is not answering yet. Fails if it has exited. */
    JsonNode tryQuery(String promql) throws InterruptedException {
        requireAlive();
        return PromQueries.tryQuery(http, url, promql);
    }

    /** GET of an API path such as {@code /api/v1/rules}, as JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return PromQueries.JSON.readTree(res.body());
    }

    /** Fails the test with Prometheus' log once it has exited (e.g. it refused its configuration). */
    void requireAlive() {
        if (!process.isAlive()) {
            fail("prometheus exited " + process.exitValue() + ":\n" + log());
        }
    }

    /** What Prometheus logged so far, for failure messages. */
    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
