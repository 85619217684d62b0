package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recovery and replica keys reach the consumers Kafka Streams really builds (its own StreamsConfig). */
class AggregatorMembershipConfigTest {

    private static Map<String, Object> mainConsumer(Map<String, String> settings, int thread) {
        AggregatorConfig cfg = AggregatorConfig.from(RadarProperties.of(settings));
        StreamsConfig streams = new StreamsConfig(cfg.streamsProperties(KafkaSettings.of("127.0.0.1:9092")));
        return streams.getMainConsumerConfigs(cfg.applicationId(), "client", thread);
    }

    @Test
    void staticMembershipGivesEachStreamThreadItsOwnInstanceIdAndTheSessionIsShort() {
        Map<String, Object> consumer = mainConsumer(Map.of("aggregator.instance.id", "aggregator-0",
                "aggregator.session.timeout.ms", "8000"), 2);
        assertEquals("aggregator-0-2", consumer.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertEquals(8000, consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        assertEquals(2000, consumer.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    @Test
    void withoutAnInstanceIdMembershipStaysDynamicAndStandbysAndTheEndpointAreSet() {
        Map<String, Object> consumer = mainConsumer(Map.of(), 1);
        assertFalse(consumer.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertEquals(10_000, consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        AggregatorConfig cfg = AggregatorConfig.from(RadarProperties.of(Map.of("aggregator.replica.endpoint", "agg-1.agg:8080",
                "aggregator.standby.replicas", "2")));
        StreamsConfig streams = new StreamsConfig(cfg.streamsProperties(KafkaSettings.of("127.0.0.1:9092")));
        assertEquals("agg-1.agg:8080", streams.getString(StreamsConfig.APPLICATION_SERVER_CONFIG));
        assertEquals(2, streams.getInt(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
        assertEquals(120_000, AggregatorConfig.defaults().startTimeoutMs());
    }

    @Test
    void aMalformedEndpointIsAClearStartUpError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AggregatorConfig.from(RadarProperties.of(Map.of("aggregator.replica.endpoint", "no-port"))));
        assertTrue(e.getMessage().contains("aggregator.replica.endpoint must be host:port"), e.getMessage());
    }

    @Test
    void theRemovedReplicaBindKeyIsRefusedWithWhereReplicasAreServedNow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AggregatorConfig.from(RadarProperties.of(Map.of("aggregator.replica.bind", "0.0.0.0"))));
        assertTrue(e.getMessage().contains("aggregator.replica.bind is no longer used")
                && e.getMessage().contains("host:web.port"), e.getMessage());
    }
}
