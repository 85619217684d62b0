package dev.radar.metrics;

import io.micrometer.core.instrument.Meter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka client and Streams metrics land in the registry (clients are created, never connected). */
class RadarMetricsTest {

    private static boolean has(RadarMetrics m, String prefix) {
        return m.registry().getMeters().stream().map(Meter::getId).anyMatch(id -> id.getName().startsWith(prefix));
    }

    @Test
    void bindsAndUnbindsAKafkaProducer() throws Exception {
        try (RadarMetrics metrics = new RadarMetrics(false);
             var producer = new KafkaProducer<byte[], byte[]>(Map.<String, Object>of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
                     ProducerConfig.CLIENT_ID_CONFIG, "metrics-test"),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            AutoCloseable binding = metrics.bindKafkaClient(producer);
            assertTrue(has(metrics, "kafka.producer"), "producer metrics");
            assertTrue(metrics.scrape().contains("kafka_producer_"));
            binding.close();
        }
    }

    @Test
    void bindsKafkaStreams(@TempDir Path state) throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        try (RadarMetrics metrics = new RadarMetrics(false);
             KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            assertFalse(has(metrics, "kafka.stream"));
            metrics.bindKafkaStreams(streams);
            assertTrue(has(metrics, "kafka.stream"), "streams metrics");
        }
    }
}
