package dev.radar.scoring.worker;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** scorer.group.instance.id and scorer.session.timeout.ms reach the scorer's consumer properties; kafka.* wins. */
class ScorerMembershipConfigTest {

    private static Properties consumer(Map<String, String> settings) {
        RadarProperties props = RadarProperties.of(settings);
        ScorerConfig cfg = ScorerConfig.from(props);
        return cfg.membership(new KafkaSettings(props).consumer(cfg.groupId(), cfg.scorerId()));
    }

    @Test
    void staticMembershipAndAShortSession() {
        Properties p = consumer(Map.of("kafka.bootstrap.servers", "127.0.0.1:9092", "scorer.group.instance.id", "scorer-3"));
        assertEquals("scorer-3", p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertEquals(6_000, p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
        assertEquals(1_000, p.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG));
    }

    @Test
    void dynamicByDefaultAndAnExplicitKafkaSettingWins() {
        Properties p = consumer(Map.of("kafka.bootstrap.servers", "127.0.0.1:9092", "kafka.session.timeout.ms", "30000"));
        assertFalse(p.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertEquals("30000", String.valueOf(p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)));
    }
}
