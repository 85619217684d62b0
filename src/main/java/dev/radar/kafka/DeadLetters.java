package dev.radar.kafka;

import dev.radar.events.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Builds and sends {@link DeadLetter}s: the rejected record's raw bytes, where it came from, and why.
 * Every component routes bad input here instead of dropping it or crashing.
 */
public final class DeadLetters {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** A dead letter for a record consumed from Kafka. */
    public static DeadLetter of(String component, ConsumerRecord<byte[], byte[]> record, String reason, String detail) {
        return builder(component, record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                reason, detail).build();
    }

    /** A dead letter for a record read from a topic by any API (clients, Kafka Streams), raw bytes kept. */
    public static DeadLetter.Builder builder(String component, String topic, int partition, long offset, byte[] key,
                                             byte[] value, String reason, String detail) {
        return DeadLetter.newBuilder()
                .setComponent(component)
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason)
                .setDetail(detail == null ? reason : detail)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedAtMs(System.currentTimeMillis());
    }

    /** A dead letter for input that did not come from a topic (HTTP, folder watcher): source names it. */
    public static DeadLetter.Builder of(String component, String source, String reason, String detail) {
        return DeadLetter.newBuilder()
                .setComponent(component)
                .setSourceTopic(source)
                .setReason(reason)
                .setDetail(detail == null ? reason : detail)
                .setFailedAtMs(System.currentTimeMillis());
    }

    /** Sends on a byte-level producer (inside the caller's transaction, if any). */
    public static void send(Producer<byte[], byte[]> producer, String key, DeadLetter letter) {
        LOG.warn("dead letter from {} ({} {}:{}@{}): {}", letter.getComponent(), letter.getReason(),
                letter.getSourceTopic(), letter.getPartition(), letter.getOffset(), letter.getDetail());
        producer.send(Topics.DEAD_LETTERS.record(key, letter));
    }
}
