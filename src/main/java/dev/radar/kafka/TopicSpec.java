package dev.radar.kafka;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;

import java.util.List;
import java.util.Map;

/**
 * A topic declared once: its name, the serdes of its keys and values, its default partition count and cleanup
 * policy. Producers, consumers and Streams topologies take names and serdes from here, never from literals.
 */
public record TopicSpec<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, int partitions,
                              String cleanupPolicy) {

    /**
     * Decodes a consumed record's value into this topic's event. A null value (tombstone) is no event on any RADAR
     * input topic, so it is rejected like undecodable bytes: both throw SerializationException for the caller's
     * dead-letter path, never a null that fails later.
     */
    public V decodeValue(byte[] value) {
        if (value == null) {
            throw new SerializationException("empty record: a null value is not an event of " + name);
        }
        V event = valueSerde.deserializer().deserialize(name, value);
        if (event == null) {
            throw new SerializationException("empty record: no event of " + name + " in " + value.length + " bytes");
        }
        return event;
    }

    /**
     * The record that sends {@code value} under {@code key} (null: no key, the partitioner picks) on this topic,
     * both encoded with this topic's serdes, for the byte-level producers every component uses.
     */
    public ProducerRecord<byte[], byte[]> record(K key, V value) {
        return new ProducerRecord<>(name, key == null ? null : keySerde.serializer().serialize(name, key),
                valueSerde.serializer().serialize(name, value));
    }

    /**
     * Assigns all of this topic's partitions to {@code consumer} (no group membership) and seeks each to its
     * beginning, for readers that rebuild state or inspect a topic from its first record.
     *
     * @return the partitions assigned
     */
    public List<TopicPartition> readFromBeginning(Consumer<?, ?> consumer) {
        List<TopicPartition> parts = consumer.partitionsFor(name).stream()
                .map(p -> new TopicPartition(name, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return parts;
    }

    /** The topic to create, with {@code partitions} and {@code replication} chosen by the deployment. */
    public NewTopic newTopic(int partitions, short replication) {
        return new NewTopic(name, partitions, replication).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy));
    }
}
