package dev.radar.testing;

import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Reads a topic from the beginning, read_committed, until enough matching records arrive or time runs out.
 * Records that do not decode are skipped: integration tests share a broker, and some write poison records on purpose.
 */
public final class TopicReader {
    private TopicReader() {
    }

    public static <V> List<V> read(KafkaSettings settings, TopicSpec<String, V> topic, Predicate<V> filter,
                                   int atLeast, Duration timeout) {
        List<V> out = new ArrayList<>();
        try (var c = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + UUID.randomUUID(), "test-reader"))) {
            List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (out.size() < atLeast && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    V value;
                    try {
                        value = topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
                    } catch (SerializationException e) {
                        continue;
                    }
                    if (value != null && filter.test(value)) {
                        out.add(value);
                    }
                }
            }
        }
        return out;
    }

    /** Reads for the whole {@code window}: for asserting that nothing more arrives. */
    public static <V> List<V> readFor(KafkaSettings settings, TopicSpec<String, V> topic, Predicate<V> filter,
                                      Duration window) {
        return read(settings, topic, filter, Integer.MAX_VALUE, window);
    }
}
