package dev.radar.testing;

import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;

/**
 * One real embedded KRaft broker shared by the integration tests of a JVM (start-up costs ~2 s, paid once).
 * Tests isolate themselves by topic names, group ids or run ids rather than by broker.
 */
public final class TestBroker {
    private static EmbeddedKafkaBroker broker;

    private TestBroker() {
    }

    public static synchronized EmbeddedKafkaBroker get() {
        if (broker == null) {
            broker = new EmbeddedKafkaBroker();
            broker.start();
            TopicAdmin.ensureTopics(KafkaSettings.of(broker.bootstrapServers()));
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "test-broker-stop"));
        }
        return broker;
    }

    public static KafkaSettings settings() {
        return KafkaSettings.of(get().bootstrapServers());
    }
}
