package dev.radar.kafka;

import org.junit.jupiter.api.Tag;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The same contract against the apache/kafka image; skipped in milliseconds where no Docker engine runs. */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class ContainerKafkaRoundTripTest extends KafkaRoundTripContract {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Override
    KafkaSettings settings() {
        return KafkaSettings.of(KAFKA.getBootstrapServers());
    }
}
