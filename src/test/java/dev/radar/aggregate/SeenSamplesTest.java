package dev.radar.aggregate;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class SeenSamplesTest {
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

    /** Adds a sample and writes its chunk through, as the aggregator does; returns whether it was new. */
    private static boolean add(SeenSamples seen, KeyValueStore<String, byte[]> store, String evaluation, String task, String id) {
        SeenSamples.Chunk chunk = seen.add(evaluation, task, id);
        if (chunk != null) {
            store.put(chunk.key(), chunk.value());
        }
        return chunk != null;
    }

    @Test
    void aSampleCountsOncePerEvaluationAndTask() {
        SeenSamples seen = new SeenSamples("run/1000/v1");
        assertNotNull(seen.add("e1", "colours", "q1"));
        assertNull(seen.add("e1", "colours", "q1"));
        assertNotNull(seen.add("e1", "counting", "q1"), "same id, other task");
        assertNotNull(seen.add("e2", "colours", "q1"), "same id, other evaluation");
        assertEquals(3, seen.size());
    }

    @Test
    void idsGoToChunksOfBoundedSizeAndReloadWhole() {
        SeenSamples seen = new SeenSamples("run/1000/v1");
        int n = 2 * SeenSamples.CHUNK + 3;
        for (int i = 0; i < n; i++) {
            add(seen, store, "e1", "colours", "q" + i);
        }
        add(seen, store, "e1", "counting", "q0");
        Set<String> keys = new HashSet<>();
        try (var it = store.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertEquals(Set.of("run/1000/v1|e1|colours|0", "run/1000/v1|e1|colours|1", "run/1000/v1|e1|colours|2",
                "run/1000/v1|e1|counting|0"), keys);

        SeenSamples reloaded = SeenSamples.load(store, "run/1000/v1");
        assertEquals(n + 1, reloaded.size());
        for (int i = 0; i < n; i++) {
            assertNull(reloaded.add("e1", "colours", "q" + i), "q" + i + " seen before the reload");
        }
        SeenSamples.Chunk next = reloaded.add("e1", "colours", "q-new");
        assertNotNull(next);
        assertEquals("run/1000/v1|e1|colours|3", next.key(), "new ids never overwrite a stored chunk");
    }

    @Test
    void loadKeepsOnlyItsOwnCheckpointWhenAnotherKeyStartsTheSame() {
        SeenSamples mine = new SeenSamples("run/1000/v1");
        SeenSamples other = new SeenSamples("run/1000/v1|x");
        add(mine, store, "e1", "colours", "q1");
        add(other, store, "e1", "colours", "q2");
        SeenSamples reloaded = SeenSamples.load(store, "run/1000/v1");
        assertEquals(1, reloaded.size());
        assertNotNull(reloaded.add("e1", "colours", "q2"));
    }
}
