package dev.radar.aggregate;

import dev.radar.events.DeadLetter;
import dev.radar.kafka.DeadLetters;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The byte-level first step of each input: decodes a record into its event, or turns it into a {@link DeadLetter}
 * (component "aggregator", source topic, partition, offset, reason and the raw bytes) so that one bad record never
 * stops the application. Downstream splits the two apart by type.
 */
final class DecodeOrDeadLetter<T extends SpecificRecord> implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String COMPONENT = "aggregator";

    private final Deserializer<T> deserializer;
    private final Function<T, String> validator;
    private ProcessorContext<String, SpecificRecord> context;

    /** @param validator returns why a decoded event is unusable, or null when it is fine */
    DecodeOrDeadLetter(Deserializer<T> deserializer, Function<T, String> validator) {
        this.deserializer = deserializer;
        this.validator = validator;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        Optional<RecordMetadata> meta = context.recordMetadata();
        String topic = meta.map(RecordMetadata::topic).orElse("");
        if (record.value() == null) {
            context.forward(record.withKey(key).withValue(deadLetter(record, meta, "empty-record",
                    "a null value (tombstone) is not an event of " + topic)));
            return;
        }
        T event;
        try {
            event = deserializer.deserialize(topic, record.value());
        } catch (SerializationException | IllegalArgumentException e) {
            context.forward(record.withKey(key).withValue(deadLetter(record, meta, "undecodable-event", e.getMessage())));
            return;
        }
        String invalid = validator.apply(event);
        if (invalid != null) {
            context.forward(record.withKey(key).withValue(deadLetter(record, meta, "invalid-event", invalid)));
            return;
        }
        context.forward(record.withKey(key).withValue(event));
    }

    private DeadLetter deadLetter(Record<byte[], byte[]> record, Optional<RecordMetadata> meta, String reason, String detail) {
        return DeadLetters.builder(COMPONENT, meta.map(RecordMetadata::topic).orElse(""),
                        meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L),
                        record.key(), record.value(), reason, detail)
                .setFailedAtMs(context.currentSystemTimeMs())
                .build();
    }
}
