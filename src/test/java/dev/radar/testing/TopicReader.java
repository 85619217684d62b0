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
import java.util.Map;
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
            topic.readFromBeginning(c);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (out.size() < atLeast && System.currentTimeMillis() < deadline) {
                pollInto(c, topic, filter, out);
            }
        }
        return out;
    }

    /**
     * Every matching record up to a later marker: reads until a record matching {@code sentinel} arrives, then on to
     * the end of every partition as it stood then, so what a test sent before the sentinel has been read whichever
     * partition it went to. For asserting that nothing more arrived, without a time window.
     *
     * @return the matching records in the order read, the sentinel among them
     * @throws AssertionError if no sentinel arrives within {@code timeout}
     */
    public static <V> List<V> readThrough(KafkaSettings settings, TopicSpec<String, V> topic, Predicate<V> filter,
                                          Predicate<V> sentinel, Duration timeout) {
        List<V> out = new ArrayList<>();
        try (var c = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + UUID.randomUUID(), "test-reader"))) {
            List<TopicPartition> parts = topic.readFromBeginning(c);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (out.stream().noneMatch(sentinel)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("no sentinel on " + topic.name() + " within " + timeout.toSeconds()
                            + " s; read before it: " + out);
                }
                pollInto(c, topic, filter, out);
            }
            readToEnd(c, topic, parts, filter, out, deadline);
        }
        return out;
    }

    /**
     * Every matching record committed so far: from the beginning to the end of every partition as it stands when
     * called (read_committed: the last stable offset), however long the topic.
     */
    public static <V> List<V> readToEnd(KafkaSettings settings, TopicSpec<String, V> topic, Predicate<V> filter,
                                        Duration timeout) {
        List<V> out = new ArrayList<>();
        try (var c = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + UUID.randomUUID(), "test-reader"))) {
            List<TopicPartition> parts = topic.readFromBeginning(c);
            readToEnd(c, topic, parts, filter, out, System.currentTimeMillis() + timeout.toMillis());
        }
        return out;
    }

    private static <V> void readToEnd(KafkaConsumer<byte[], byte[]> c, TopicSpec<String, V> topic,
                                      List<TopicPartition> parts, Predicate<V> filter, List<V> out, long deadline) {
        Map<TopicPartition, Long> end = c.endOffsets(parts);
        while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("could not read " + topic.name() + " to its end " + end + " in time");
            }
            pollInto(c, topic, filter, out);
        }
    }

    private static <V> void pollInto(KafkaConsumer<byte[], byte[]> c, TopicSpec<String, V> topic, Predicate<V> filter,
                                     List<V> out) {
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
