package dev.radar.kafka;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaAccessErrorsTest {

    @Test
    void refusalsAreFoundThroughTheWrappersKafkaStreamsPutsAroundThem() {
        assertTrue(KafkaAccessErrors.isAccessDenied(new StreamsException(new SaslAuthenticationException("bad password"))));
        assertTrue(KafkaAccessErrors.isAccessDenied(new KafkaException(new TopicAuthorizationException(Set.of("radar.x")))));
        assertFalse(KafkaAccessErrors.isAccessDenied(new StreamsException(new TimeoutException("slow broker"))),
                "a timeout may pass: the thread is replaced");
        assertFalse(KafkaAccessErrors.isAccessDenied(null));
    }

    @Test
    void aScramUserTheFormatToolCannotQuoteIsRefusedWithoutShowingThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedKafkaBroker.withScramUsers(Map.of("radar", "se\"cret")));
        assertEquals("SCRAM password of 'radar' must be non-empty, without '\"' or '\\'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EmbeddedKafkaBroker.withScramUsers(Map.of()));
    }
}
