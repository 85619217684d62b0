package dev.radar.aggregate;

import org.apache.kafka.streams.state.KeyValueStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Live, mutable state objects in front of a key-value store: the first read of a key loads it (deserialises once),
 * later reads return the same object, and the caller writes every change through before the next record is
 * processed, with {@link #put} or, for a part the loader reads from elsewhere, to that store. The stores (and their
 * changelogs, inside the task's transaction) therefore always hold what the objects hold, which keeps exactly-once
 * intact; the map only saves deserialising on every record.
 *
 * <p>One instance per processor {@code init}: a task that is closed and revived (a failed transaction, a
 * rebalance) re-initialises its processors, so objects never outlive the store contents they mirror. The map keeps
 * at most {@code maxLive} objects, least recently used first out; an evicted key is simply loaded again.
 */
final class LiveStore<V> {
    private final KeyValueStore<String, V> store;
    private final Function<String, V> loader;
    private final Map<String, V> live;

    /** @param loader reads a key from the store (and anything kept beside it); returns null when absent */
    LiveStore(KeyValueStore<String, V> store, Function<String, V> loader, int maxLive) {
        this.store = store;
        this.loader = loader;
        this.live = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxLive;
            }
        };
    }

    LiveStore(KeyValueStore<String, V> store, int maxLive) {
        this(store, store::get, maxLive);
    }

    /** The live object of {@code key}, loaded from the store on first use; null when the store has none. */
    V get(String key) {
        V value = live.get(key);
        if (value == null) {
            value = loader.apply(key);
            if (value != null) {
                live.put(key, value);
            }
        }
        return value;
    }

    /** Writes {@code value} through to the store and keeps it live. */
    void put(String key, V value) {
        store.put(key, value);
        live.put(key, value);
    }

    /** Deletes {@code key} from the store and the live map. */
    void delete(String key) {
        store.delete(key);
        live.remove(key);
    }

    int liveCount() {
        return live.size();
    }
}
