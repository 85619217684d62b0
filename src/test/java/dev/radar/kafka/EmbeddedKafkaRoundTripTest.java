package dev.radar.kafka;

import dev.radar.testing.TestBroker;
import org.junit.jupiter.api.Tag;

@Tag("integration")
class EmbeddedKafkaRoundTripTest extends KafkaRoundTripContract {
    @Override
    KafkaSettings settings() {
        return TestBroker.settings();
    }
}
