package dev.radar.scoring.worker;

import dev.radar.metrics.MetricNames;
import dev.radar.scoring.Scorer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Loaded checkpoints, least recently used evicted and closed: a scorer keeps a checkpoint while shards of it keep
 * coming, and loads each at most once per stay in the cache. Used from the scoring thread only.
 */
final class ModelCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    private final int capacity;
    private final Function<Path, Scorer> loader;
    private final Timer loadTimer;
    private final LinkedHashMap<Path, Scorer> models = new LinkedHashMap<>(4, 0.75f, true);

    ModelCache(int capacity, Function<Path, Scorer> loader, MeterRegistry meters) {
        this.capacity = capacity;
        this.loader = loader;
        this.loadTimer = Timer.builder(MetricNames.SCORER_MODEL_LOAD).description("Checkpoint load time")
                .register(meters);
    }

    Scorer get(Path checkpoint) {
        Scorer s = models.get(checkpoint);
        if (s != null) {
            return s;
        }
        while (models.size() >= capacity) {
            Iterator<Map.Entry<Path, Scorer>> eldest = models.entrySet().iterator();
            Map.Entry<Path, Scorer> e = eldest.next();
            eldest.remove();
            LOG.info("unloading checkpoint {}", e.getKey());
            e.getValue().close();
        }
        long t0 = System.nanoTime();
        s = loader.apply(checkpoint);
        long nanos = System.nanoTime() - t0;
        loadTimer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        LOG.info("loaded checkpoint {} in {} ms", checkpoint, nanos / 1_000_000);
        models.put(checkpoint, s);
        return s;
    }

    @Override
    public void close() {
        models.values().forEach(Scorer::close);
        models.clear();
    }
}
