package dev.radar.cli;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.scoring.worker.ScorerConfig;
import dev.radar.scoring.worker.ScorerService;
import dev.radar.testing.TestBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command whose service stops working ends with a non-zero exit code instead of staying up and "healthy". */
@Tag("integration")
class ForegroundHealthTest {

    @Test
    void aScorerWhoseLoopDiesEndsTheCommandNonZero() throws Exception {
        // The broker answers (start-up passes), then it refuses the scorer's transaction timeout (above its
        // transaction.max.timeout.ms) at InitProducerId and the poll loop ends. Before the watchdog, such a process
        // stayed up with /health 200 and radar_up 1.
        CompletableFuture<Integer> rc = CompletableFuture.supplyAsync(() -> RadarCli.execute("scorer",
                "-b", TestBroker.get().bootstrapServers(), "-D", "scorer.transaction.timeout.ms=3600000",
                "-D", "web.port=0", "--id", "health-test-" + System.nanoTime()));
        assertEquals(Foreground.SERVICE_FAILED, rc.get(120, TimeUnit.SECONDS));
    }

    @Test
    void aScorerIsUnhealthyUntilItsLoopRunsAndExportsThePinnedMeterNames() {
        RadarProperties props = RadarProperties.load(null);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ScorerService scorer = new ScorerService(new KafkaSettings(props), ScorerConfig.from(props), registry);
        assertFalse(scorer.healthy(), "a scorer that was never started is not healthy");
        String scrape = registry.scrape();
        // The dashboards query these names; the meter was once exported as ..._samples_s_* and the panel was empty.
        for (String series : new String[]{"radar_scorer_shard_throughput_samples_per_second_count",
                "radar_scorer_shard_latency_seconds_count", "radar_scorer_samples_total"}) {
            assertTrue(scrape.contains(series), series + " missing from:\n" + scrape);
        }
        assertTrue(scrape.contains("radar_scorer_shard_latency_seconds_bucket{le=\"3600.0\"}"),
                "shard latency buckets reach an hour: " + scrape);
    }
}
