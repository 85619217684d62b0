package dev.radar.scoring.worker;

import dev.radar.checkpoint.CheckpointException;
import dev.radar.checkpoint.HfCheckpoint;
import dev.radar.metrics.MetricNames;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.Scorer;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * Loaded checkpoints, least recently used evicted and closed: a scorer keeps a checkpoint while shards of it keep
 * coming, and loads each at most once per stay in the cache. Used from the scoring thread only.
 *
 * <p>Entries are keyed by the folder AND its content (name, size and modification time of each file in it), so a
 * folder refilled with new weights, as a re-evaluation of a re-saved step does, is loaded again instead of being
 * scored with the weights seen first; for a raw Hugging Face checkpoint that covers its safetensors shards and
 * index. A scoring package must pass a cheap structural check (its radar-model.json parses,
 * every TorchScript archive in it opens as a zip) before anything is evicted for it: a corrupt checkpoint fails
 * without unloading the good model that the next shards need, and without holding two models in device memory.
 */
final class ModelCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    /** A checkpoint folder as it is now. */
    record Key(Path dir, String content) {
        static Key of(Path dir) {
            if (!Files.isDirectory(dir)) {
                return new Key(dir, "");
            }
            StringBuilder sb = new StringBuilder();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    sb.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                            .append(Files.getLastModifiedTime(f).toMillis()).append(';');
                }
            } catch (IOException e) {
                throw new ModelLoadException("cannot list checkpoint folder " + dir + ": " + e.getMessage(), e);
            }
            return new Key(dir, sb.toString());
        }
    }

    private final int capacity;
    private final Function<Path, Scorer> loader;
    private final Timer loadTimer;
    private final LinkedHashMap<Key, Scorer> models = new LinkedHashMap<>(4, 0.75f, true);

    ModelCache(int capacity, Function<Path, Scorer> loader, Timer loadTimer) {
        this.capacity = capacity;
        this.loader = loader;
        this.loadTimer = loadTimer;
    }

    Scorer get(Path checkpoint) {
        Key key = Key.of(checkpoint);
        Scorer s = models.get(key);
        if (s != null) {
            return s;
        }
        checkStructure(checkpoint);
        // Older contents of the same folder go first: they will not be asked for again.
        models.keySet().stream().filter(k -> k.dir().equals(checkpoint)).toList().forEach(k -> unload(k, "replaced"));
        while (models.size() >= capacity) {
            unload(models.keySet().iterator().next(), "least recently used");
        }
        long t0 = System.nanoTime();
        s = loader.apply(checkpoint);
        long nanos = System.nanoTime() - t0;
        loadTimer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        LOG.info("loaded checkpoint {} in {} ms", checkpoint, nanos / 1_000_000);
        models.put(key, s);
        return s;
    }

    int loadedCount() {
        return models.size();
    }

    private void unload(Key key, String why) {
        Scorer s = models.remove(key);
        LOG.info("unloading checkpoint {} ({})", key.dir(), why);
        s.close();
    }

    /** What can be known without loading: the package description parses and every archive opens. */
    private static void checkStructure(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("checkpoint folder not found: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve(ModelConfig.FILE)) && HfCheckpoint.looksLikeOne(dir)) {
            try {
                HfCheckpoint.open(dir);    // complete: every shard there, every file as long as its header says
            } catch (CheckpointException e) {
                throw new ModelLoadException(e.reason() + ": " + e.getMessage(), e);
            }
            return;
        }
        ModelConfig.read(dir.resolve(ModelConfig.FILE));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".pt")).sorted().toList()) {
                try (ZipFile zip = new ZipFile(f.toFile())) {
                    if (zip.size() == 0) {
                        throw new ModelLoadException(f + " is an empty archive, not a TorchScript module");
                    }
                } catch (IOException e) {
                    throw new ModelLoadException("cannot load " + f + " (corrupt or not TorchScript?): " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot list checkpoint folder " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        models.values().forEach(Scorer::close);
        models.clear();
    }
}
