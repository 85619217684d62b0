package dev.radar.events;

import dev.radar.kafka.Topics;
import dev.radar.testing.PoisonRecords;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A crafted length is a decode error, not an allocation; a null value is no event. */
class AvroSerdeLimitsTest {

    @Test
    void aRecordDeclaringATwoGibStringIsRejectedByTheLengthLimitNotAllocated() {
        byte[] poison = PoisonRecords.hugeStringField(ShardTask.getClassSchema());
        assertEquals(16, poison.length);
        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(ShardTask.class).decode(poison));
        // Without the limit Avro allocates the 2 GiB string first and only then fails (end of input) or dies (OOM).
        assertTrue(e.getMessage().contains("exceeds maximum allowed"), e.getMessage());
        assertEquals(String.valueOf(16 << 20), System.getProperty("org.apache.avro.limits.string.maxLength"));
    }

    @Test
    void aNullValueIsAnEmptyRecordErrorNamingTheTopic() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> Topics.SHARD_TASKS.decodeValue(null));
        assertTrue(e.getMessage().contains("empty record") && e.getMessage().contains(Topics.SHARD_TASKS.name()),
                e.getMessage());
    }
}
