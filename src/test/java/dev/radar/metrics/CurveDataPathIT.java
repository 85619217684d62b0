package dev.radar.metrics;

import dev.radar.app.Assembly;
import dev.radar.web.WebConfig;
import dev.radar.web.WebServer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.radar.events.AbilityReport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.radar.metrics.ReportFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Grafana's per-step data path on a real Prometheus: after a first scrape, a backfilled checkpoint (older step,
 * completed late) and a fast-completing one (completed and overtaken by a newer step before the next scrape) both
 * appear on {@code radar_curve_sds}, each at its own step with its own value; a gauge of the latest step alone would
 * never have shown the second, and would have put the first behind newer steps in time.
 */
@Tag("integration")
class CurveDataPathIT {
    @Test
    void backfilledAndFastCompletingCheckpointsAreOnThePerStepCurve(@TempDir Path tmp) throws Exception {
        LocalPrometheus.requireInstalled();
        try (RadarMetrics metrics = RadarMetrics.create();
             WebServer server = new WebServer(WebConfig.loopbackAnyPort())
                     .get("/metrics", Assembly.metricsRoute(metrics, () -> { }))) {
            AbilityGauges gauges = new AbilityGauges(metrics.registry());
            List<AbilityReport> reports = new ArrayList<>(List.of(
                    report("run-c", 1000, true, 1.0, 0.50, 0.40), report("run-c", 2000, true, 1.0, 0.55, 0.42)));
            gauges.update(reports, List.of());
            server.start();
            String config = String.join("\n",
                    "global:", "  scrape_interval: 1s", "scrape_configs:", "  - job_name: radar", "    static_configs:",
                    "      - targets: ['127.0.0.1:" + server.port() + "']", "");
            try (LocalPrometheus prometheus = LocalPrometheus.start(tmp, config)) {
                followsBackfilledAndFastCompletingSteps(prometheus, gauges, reports);
            }
        }
    }

    private static void followsBackfilledAndFastCompletingSteps(LocalPrometheus prometheus, AbilityGauges gauges,
                                                                List<AbilityReport> reports) throws Exception {
        String curve = "radar_curve_sds{run=\"run-c\", ability=\"reasoning\"}";
        awaitSteps(prometheus, curve, 2);

        // Between two scrapes: step 3000 completes and is overtaken by 4000; step 500 is backfilled.
        reports.add(report("run-c", 3000, true, 1.0, 0.60, 0.47));
        reports.add(report("run-c", 4000, true, 1.0, 0.63, 0.48));
        reports.add(report("run-c", 500, true, 1.0, 0.45, 0.37));
        gauges.update(reports, List.of());
        Map<Long, Double> points = awaitSteps(prometheus, curve, 5);
        assertEquals(Map.of(500L, 0.37, 1000L, 0.40, 2000L, 0.42, 3000L, 0.47, 4000L, 0.48), points);
        JsonNode tokens = prometheus.tryQuery("radar_curve_sds{run=\"run-c\", ability=\"reasoning\", step=\"500\"}")
                .path("data").path("result").get(0).path("metric").path("tokens");
        assertEquals("500000", tokens.asText(), "tokens label for the x axis by tokens");
    }

    /** Waits until the instant query returns {@code n} steps; returns step to value. */
    private static Map<Long, Double> awaitSteps(LocalPrometheus prometheus, String promql, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        Map<Long, Double> points = Map.of();
        while (System.nanoTime() < deadline) {
            JsonNode res = prometheus.tryQuery(promql);
            if (res != null) {
                points = new TreeMap<>();
                for (JsonNode s : res.path("data").path("result")) {
                    points.put(s.path("metric").path("step").asLong(), s.path("value").get(1).asDouble());
                }
                if (points.size() == n) {
                    return points;
                }
            }
            Thread.sleep(300);
        }
        fail("expected " + n + " steps, Prometheus has " + points + "; log:\n" + prometheus.log());
        return points;
    }
}
