package dev.radar.scoring.worker;

import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.ScoringEngine;
import dev.radar.config.RadarProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scorer's model cache on the real tiny TorchScript checkpoints. */
class ModelCacheTest {
    private static final Path CHECKPOINTS = Path.of("models/tiny-mllm/checkpoints");

    @TempDir
    Path dir;
    private final List<Path> loads = new ArrayList<>();
    private ModelCache cache;

    private ModelCache cache(int capacity) {
        ScoringConfig cfg = ScoringConfig.from(RadarProperties.load(null));
        cache = new ModelCache(capacity, p -> {
            loads.add(p);
            return ScoringEngine.open(p, cfg);
        }, new ScorerMetrics(new SimpleMeterRegistry()).modelLoad());
        return cache;
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    private Path copy(String step, String name) throws IOException {
        Path to = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(CHECKPOINTS.resolve(step))) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    @Test
    void aFolderRefilledWithOtherWeightsIsLoadedAgain() throws Exception {
        Path ckpt = copy("step-000000", "step-100");
        ModelCache c = cache(2);
        Scorer first = c.get(ckpt);
        assertSame(first, c.get(ckpt), "unchanged folder: no reload");
        // The training job re-saves the step (a re-evaluation follows): same path, other weights.
        Files.copy(CHECKPOINTS.resolve("step-000450/model.pt"), ckpt.resolve("model.pt"), StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(ckpt.resolve("model.pt"), java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() + 5_000));
        c.get(ckpt);
        assertEquals(List.of(ckpt, ckpt), loads, "the refilled folder is loaded again");
        assertEquals(1, c.loadedCount(), "the old weights of that folder are unloaded");
    }

    @Test
    void aCorruptCheckpointDoesNotEvictTheGoodModel() throws Exception {
        Path good = copy("step-000100", "good");
        Path corrupt = copy("step-000100", "corrupt");
        Files.writeString(corrupt.resolve("model.pt"), "this is not a TorchScript archive");
        ModelCache c = cache(1);
        Scorer loaded = c.get(good);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> c.get(corrupt));
        assertTrue(e.getMessage().contains("model.pt"), e.getMessage());
        assertSame(loaded, c.get(good), "the good model stayed loaded");
        assertEquals(List.of(good), loads);
    }
}
