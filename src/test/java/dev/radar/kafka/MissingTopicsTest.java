package dev.radar.kafka;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With {@code topics.create=false}, start-up on a cluster that lacks RADAR's topics fails naming them, in one line. */
@Tag("integration")
class MissingTopicsTest {

    @Test
    void missingTopicsAreNamedWithTheirPartitionsWhenCreationIsOff() {
        // Its own broker: the shared test broker has every RADAR topic already.
        try (EmbeddedKafkaBroker bare = new EmbeddedKafkaBroker()) {
            bare.start();
            KafkaSettings noCreate = new KafkaSettings(RadarProperties.of(Map.of(
                    KafkaSettings.BOOTSTRAP, bare.bootstrapServers(), "topics.create", "false")));
            TopicAdmin.requireReachable(noCreate);
            RadarException e = assertThrows(RadarException.class, () -> TopicAdmin.ensureTopics(noCreate));
            assertTrue(e.getMessage().contains("topics.create=false"), e.getMessage());
            assertTrue(e.getMessage().contains("radar.shard-tasks (12 partitions)"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
            // Allowed to create, the same call makes them, and then the check passes with creation off.
            TopicAdmin.ensureTopics(new KafkaSettings(noCreate.properties().with("topics.create", "true")));
            TopicAdmin.ensureTopics(noCreate);
        }
    }
}
