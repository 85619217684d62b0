package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;
import dev.radar.kafka.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Arrays;

/**
 * Serde of the records the curve tracker reads from its repartition topic: an {@link AbilityReport} or a
 * {@link DeadLetter}, both keyed by runId. One tag byte says which, then the record's own Avro encoding.
 */
final class RunEventSerde {
    private static final byte REPORT = 'R';
    private static final byte DEAD_LETTER = 'D';

    private RunEventSerde() {
    }

    static Serde<SpecificRecord> serde() {
        Serializer<AbilityReport> reports = Topics.ABILITY_REPORTS.valueSerde().serializer();
        Serializer<DeadLetter> letters = Topics.DEAD_LETTERS.valueSerde().serializer();
        Deserializer<AbilityReport> reportReader = Topics.ABILITY_REPORTS.valueSerde().deserializer();
        Deserializer<DeadLetter> letterReader = Topics.DEAD_LETTERS.valueSerde().deserializer();
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) {
                return null;
            }
            byte tag;
            byte[] body;
            if (value instanceof AbilityReport r) {
                tag = REPORT;
                body = reports.serialize(topic, r);
            } else if (value instanceof DeadLetter d) {
                tag = DEAD_LETTER;
                body = letters.serialize(topic, d);
            } else {
                throw new SerializationException("not a run event: " + value.getClass().getName());
            }
            byte[] out = new byte[body.length + 1];
            out[0] = tag;
            System.arraycopy(body, 0, out, 1, body.length);
            return out;
        }, (topic, bytes) -> {
            if (bytes == null || bytes.length == 0) {
                return null;
            }
            byte[] body = Arrays.copyOfRange(bytes, 1, bytes.length);
            return switch (bytes[0]) {
                case REPORT -> reportReader.deserialize(topic, body);
                case DEAD_LETTER -> letterReader.deserialize(topic, body);
                default -> throw new SerializationException("unknown run event tag " + bytes[0]);
            };
        });
    }
}
