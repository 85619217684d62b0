package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The aggregator's real topology on a TopologyTestDriver, and its topics with the registry's serdes. */
final class TestTopology {
    /** Wall-clock time the driver starts at. */
    static final long T0 = 1_000_000;

    private TestTopology() {
    }

    /**
     * A driver of {@link AggregatorTopology#build} with test defaults (its own application id, state in
     * {@code stateDir}, no time-based partial reports) and then {@code settings} on top.
     */
    static TopologyTestDriver start(Path stateDir, Map<String, String> settings) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("aggregator.application.id", "agg-test-" + System.nanoTime());
        all.put("aggregator.state.dir", stateDir.toString());
        all.put("aggregator.report.interval.ms", "60000");
        all.putAll(settings);
        AggregatorConfig cfg = AggregatorConfig.from(RadarProperties.of(all));
        return new TopologyTestDriver(AggregatorTopology.build(cfg), cfg.streamsProperties(KafkaSettings.of("unused:9092")),
                Instant.ofEpochMilli(T0));
    }

    static <V> TestInputTopic<String, V> input(TopologyTestDriver driver, TopicSpec<String, V> topic) {
        return driver.createInputTopic(topic.name(), new StringSerializer(), topic.valueSerde().serializer());
    }

    /** The last value read for {@code key} (the latest report of a checkpoint); fails if there is none. */
    static <V> V last(List<KeyValue<String, V>> out, String key) {
        V last = null;
        for (KeyValue<String, V> kv : out) {
            if (kv.key.equals(key)) {
                last = kv.value;
            }
        }
        if (last == null) {
            throw new AssertionError("no record for " + key + " among " + out.size());
        }
        return last;
    }

    static <V> TestOutputTopic<String, V> output(TopologyTestDriver driver, TopicSpec<String, V> topic) {
        return driver.createOutputTopic(topic.name(), new StringDeserializer(), topic.valueSerde().deserializer());
    }
}
