package dev.radar.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's meter names, as Micrometer's Kafka binders register them, come out promtool-clean. */
class KafkaMeterFilterTest {

    @Test
    void nonBaseUnitsAreLeftOutCountGaugesAndMissingHelpAreFixedAndLagKeepsItsName() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(KafkaMeterFilter.INSTANCE);
        Gauge.builder("kafka.consumer.io.time.ns.avg", () -> 1.0).description("io time").register(registry);
        FunctionCounter.builder("kafka.producer.txn.commit.time.ns.total", this, x -> 2.0).register(registry);
        Gauge.builder("kafka.consumer.connection.count", () -> 3.0).register(registry);
        Gauge.builder("kafka.stream.task.active.buffer.count", () -> 7.0).register(registry); // Kafka Streams, per task
        Gauge.builder("kafka.app.info.start.time.ms", () -> 4.0).register(registry);
        Gauge.builder("kafka.consumer.fetch.manager.records.lag", () -> 5.0).tag("topic", "radar.sample-scores")
                .tag("partition", "0").register(registry);
        Gauge.builder("radar.untouched.ms", () -> 6.0).description("not Kafka's").register(registry);
        String scrape = registry.scrape();
        assertFalse(scrape.contains("kafka_consumer_io_time"), scrape);
        assertFalse(scrape.contains("kafka_producer_txn_commit_time"), scrape);
        assertFalse(scrape.contains("kafka_app_info_start_time"), scrape);
        assertTrue(scrape.contains("kafka_consumer_connections 3.0"), scrape);
        assertTrue(scrape.contains("kafka_stream_task_active_buffers 7.0"), scrape);
        assertTrue(scrape.contains("kafka_consumer_fetch_manager_records_lag{partition=\"0\",topic=\"radar.sample-scores\"} 5.0"), scrape);
        assertTrue(scrape.contains("# HELP kafka_consumer_connections Kafka client metric kafka.consumer.connection.count"), scrape);
        assertTrue(scrape.contains("radar_untouched_ms 6.0"), scrape);

        String kafkaOnly = scrape.lines().filter(l -> l.contains("kafka_")).reduce("", (a, b) -> a + b + "\n");
        Path file = Files.createTempFile("kafka-meters", ".txt");
        Files.writeString(file, kafkaOnly);
        Process promtool = new ProcessBuilder("sh", "-c", "promtool check metrics < '" + file + "' 2>&1").start();
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), lint + "\n" + kafkaOnly);
        Files.delete(file);
    }
}
