package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.events.EventKeys;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.metrics.RadarMetrics;
import dev.radar.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running aggregator exports its Kafka Streams metrics: consumer lag per partition of radar.sample-scores among
 * them, and the scrape passes {@code promtool check metrics} (promtool from the prometheus package).
 */
@Tag("integration")
class AggregatorMetricsIT {
    private static final Pattern LAG = Pattern.compile(
            "kafka_consumer_fetch_manager_records_lag\\{[^}]*partition=\"(\\d+)\"[^}]*topic=\"radar\\.sample-scores\"[^}]*} ([0-9.E+-]+)");

    @TempDir
    Path stateDir;

    @Test
    void streamsMetricsWithLagPerPartitionAreScrapedAndLintClean() throws Exception {
        String run = "metrics-run-" + UUID.randomUUID();
        RadarProperties props = TestBroker.settings().properties().with(Map.of(
                "aggregator.application.id", "radar-aggregator-metrics-it-" + UUID.randomUUID(),
                "aggregator.state.dir", stateDir.toString()));
        KafkaSettings kafka = new KafkaSettings(props);
        RadarMetrics metrics = new RadarMetrics(false);
        try (AggregatorService service = new AggregatorService(kafka, AggregatorConfig.from(props));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("metrics-it-producer"))) {
            service.bindMetrics(metrics.registry());
            service.start();
            String key = EventKeys.checkpoint(run, 1000);
            send(producer, Topics.EVALUATIONS, key, plan(run, 1000, "metrics-v", Map.of(COLOURS, 1)));
            send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, "metrics-v", COLOURS, "q", 0.5, true));
            producer.flush();
            long deadline = System.currentTimeMillis() + 60_000;
            String scrape = metrics.scrape();
            while (service.latestComplete(run).isEmpty() || !LAG.matcher(scrape).find()) {
                assertTrue(System.currentTimeMillis() < deadline, "no complete report or no lag series in\n" + scrape);
                Thread.sleep(200);
                scrape = metrics.scrape();
            }
            Matcher lag = LAG.matcher(scrape);
            java.util.Set<String> partitions = new java.util.TreeSet<>();
            while (lag.find()) {
                partitions.add(lag.group(1));
                assertTrue(Double.parseDouble(lag.group(2)) >= 0, lag.group());
            }
            assertEquals(java.util.Set.of("0", "1", "2", "3", "4", "5"), partitions, "one lag series per partition");
            assertTrue(scrape.contains("kafka_stream_"), "Kafka Streams' own metrics");

            Path file = Path.of("target", "aggregator-metrics-it-scrape.txt"); // kept for a look after a failure
            Files.writeString(file, scrape);
            Process promtool = new ProcessBuilder("sh", "-c", "promtool check metrics < '" + file.toAbsolutePath() + "' 2>&1")
                    .redirectErrorStream(true).start();
            String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, promtool.waitFor(), "promtool check metrics < " + file + ":\n" + lint);
        }
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(topic.record(key, value));
    }
}
