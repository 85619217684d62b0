package dev.radar.metrics;

import dev.radar.app.Assembly;
import dev.radar.web.WebConfig;
import dev.radar.web.WebServer;
import dev.radar.config.RadarProperties;
import dev.radar.events.AlertKind;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.radar.metrics.ReportFixtures.alert;
import static dev.radar.metrics.ReportFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /metrics} as the process's HTTP server serves it: every pinned name, Prometheus text format. */
class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(WebServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesEveryPinnedNameInPrometheusTextFormat() throws Exception {
        try (RadarMetrics metrics = RadarMetrics.create();
             WebServer server = new WebServer(WebConfig.loopbackAnyPort())
                     .get("/metrics", Assembly.metricsRoute(metrics, () -> { }))) {
            new AbilityGauges(metrics.registry()).update(
                    List.of(report("a", 1000, true, 1.0, 0.75, 0.5), report("a", 2000, false, 0.5, 0, 0)),
                    List.of(alert("a", "reasoning", 1000, AlertKind.STAGNATION)));
            ReportFixtures.registerComponentMeters(metrics);
            metrics.markUp("web");
            server.start();

            HttpResponse<String> res = get(server, "/metrics");
            assertEquals(200, res.statusCode());
            assertEquals(RadarMetrics.CONTENT_TYPE, res.headers().firstValue("Content-Type").orElseThrow());
            String body = res.body();
            for (String line : List.of(
                    "radar_ability_sds{ability=\"perception\",level=\"ability\",run=\"a\"} 0.75",
                    "radar_ability_accuracy{ability=\"reasoning\",level=\"ability\",run=\"a\"} 0.25",
                    "radar_task_sds{run=\"a\",task=\"mathvista\"} 0.5",
                    "radar_latest_step{run=\"a\"} 1000",
                    "radar_latest_tokens{run=\"a\"} 1000000",
                    "radar_evaluation_progress{run=\"a\"} 0.5",
                    "radar_ability_gap{run=\"a\"} 0.25",
                    "radar_stagnation{ability=\"reasoning\",run=\"a\"} 1",
                    "radar_up{component=\"web\"} 1",
                    "radar_scorer_samples_total{result=\"scored\"} 10",
                    "radar_scorer_shard_latency_seconds_bucket{le=\"+Inf\"} 1",
                    "radar_scorer_model_load_seconds_count 1",
                    "radar_scorer_model_load_seconds_max 3",
                    "radar_scorer_shard_throughput_samples_per_second_count 1",
                    "radar_scorer_shard_retries_total 1",
                    "radar_planner_evaluations_total{outcome=\"planned\"} 1",
                    "radar_dead_letters_total{component=\"planner\",reason=\"bad-step\"} 1")) {
                assertTrue(body.lines().anyMatch(l -> l.startsWith(line)), () -> "missing " + line + " in\n" + body);
            }
            assertTrue(body.contains("jvm_memory_used_bytes"), "JVM binders");
            assertTrue(body.contains("system_cpu_count"), "processor binder");
            assertTrue(body.contains("jvm_threads_live_threads"), "thread binder");

            metrics.markDown("web");
            assertTrue(get(server, "/metrics").body().contains("radar_up{component=\"web\"} 0"));
        }
    }

    @Test
    void configKeysAndDefaults() {
        MetricsConfig d = MetricsConfig.from(RadarProperties.empty());
        assertTrue(d.enabled() && d.jvmMetrics());
        MetricsConfig c = MetricsConfig.from(RadarProperties.of(Map.of("metrics.jvm", "false", "metrics.enabled", "false")));
        assertEquals(new MetricsConfig(false, false), c);
    }
}
