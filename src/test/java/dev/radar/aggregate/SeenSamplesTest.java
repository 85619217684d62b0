package dev.radar.aggregate;

import dev.radar.events.SampleScore;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.failed;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class SeenSamplesTest {
    private static final String V1 = "v1-0123456789abcdef";
    private static final String KEY = "run-a/1000/" + V1;

    private KeyValueStore<String, byte[]> store;

    @BeforeEach
    void open() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("seen"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static SampleScore colours(String id) {
        return score("run-a", 1000, V1, COLOURS, id, 0.5, true);
    }

    /** Adds a sample and writes its chunk through, as the aggregator does; returns whether it was new. */
    private boolean add(SeenSamples seen, SampleScore s) {
        SeenSamples.Chunk chunk = seen.add(s);
        if (chunk != null) {
            store.put(chunk.key(), chunk.value());
        }
        return chunk != null;
    }

    private static CheckpointState empty() {
        return CheckpointState.of("run-a", 1000, V1);
    }

    @Test
    void aSampleCountsOncePerEvaluationAndTask() {
        SeenSamples seen = new SeenSamples(KEY);
        assertNotNull(seen.add(colours("q1")));
        assertNull(seen.add(colours("q1")));
        assertNotNull(seen.add(score("run-a", 1000, V1, COUNTING, "q1", 0.5, true)), "same id, other task");
        SampleScore otherEvaluation = colours("q1");
        otherEvaluation.setEvaluationId("another-evaluation");
        assertNotNull(seen.add(otherEvaluation), "same id, other evaluation");
        assertEquals(3, seen.size());
    }

    @Test
    void samplesGoToChunksOfBoundedSizeAndReloadWhole() {
        SeenSamples seen = new SeenSamples(KEY);
        int n = 2 * SeenSamples.CHUNK + 3;
        for (int i = 0; i < n; i++) {
            add(seen, colours("q" + i));
        }
        add(seen, score("run-a", 1000, V1, COUNTING, "q0", 0.5, true));
        Set<String> keys = new HashSet<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        String evaluation = TestEvents.evaluationId("run-a", 1000, V1);
        String prefix = KEY + "|" + evaluation + "|";
        assertEquals(Set.of(prefix + COLOURS.name() + "|0", prefix + COLOURS.name() + "|1", prefix + COLOURS.name() + "|2",
                prefix + COUNTING.name() + "|0"), keys);

        SeenSamples reloaded = SeenSamples.load(store, KEY, empty());
        assertEquals(n + 1, reloaded.size());
        for (int i = 0; i < n; i++) {
            assertNull(reloaded.add(colours("q" + i)), "q" + i + " seen before the reload");
        }
        SeenSamples.Chunk next = reloaded.add(colours("q-new"));
        assertNotNull(next);
        assertEquals(prefix + COLOURS.name() + "|3", next.key(), "new samples never overwrite a stored chunk");
    }

    @Test
    void theTotalsComeBackFromTheChunksWithTheStoredPartOfTheState() {
        CheckpointState live = empty();
        live.seen = new SeenSamples(KEY);
        SampleScore[] samples = {
                score("run-a", 1000, V1, COLOURS, "q1", 0.9, true),
                score("run-a", 1000, V1, COLOURS, "q2", 0.3, false),
                score("run-a", 1000, V1, COUNTING, "q3", 0.6, true),
                failed("run-a", 1000, V1, COUNTING, "q4")};
        for (SampleScore s : samples) {
            if (add(live.seen, s)) {
                live.apply(s);
            }
        }
        live.apply(plan("run-a", 1000, V1, Map.of(COLOURS, 2, COUNTING, 3)));

        CheckpointState back = StateSerdes.readCheckpoint(StateSerdes.writeCheckpoint(live));
        assertEquals(0, back.done(), "the checkpoint store holds no totals");
        back.seen = SeenSamples.load(store, KEY, back);
        assertEquals(live.toReport(1), back.toReport(1));
        assertEquals(4, back.done());
    }

    @Test
    void loadKeepsOnlyItsOwnCheckpointWhenAnotherKeyStartsTheSame() {
        SeenSamples mine = new SeenSamples(KEY);
        SeenSamples other = new SeenSamples(KEY + "|x");
        add(mine, colours("q1"));
        add(other, colours("q2"));
        SeenSamples reloaded = SeenSamples.load(store, KEY, empty());
        assertEquals(1, reloaded.size());
        assertNotNull(reloaded.add(colours("q2")));
    }
}
