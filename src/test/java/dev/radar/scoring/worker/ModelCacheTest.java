package dev.radar.scoring.worker;

import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.djl.ScoringEngine;
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

    /** Raw Hugging Face folders: the key covers the safetensors shards; a truncated shard evicts nothing. */
    @Test
    void aRawCheckpointWithARewrittenShardIsLoadedAgainAndATruncatedOneEvictsNothing() throws Exception {
        Path fixture = Path.of(System.getProperty("radar.hf.fixtures", "target/hf-fixtures")).resolve("qwen2-vl");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fixture.resolve("checkpoint-b"))
                && Files.isDirectory(fixture.resolve("architecture")), "no raw-checkpoint fixtures");
        Path architectures = Files.createDirectories(dir.resolve("architectures"));
        Files.createSymbolicLink(architectures.resolve("qwen2-vl"), fixture.resolve("architecture").toAbsolutePath());
        ScoringConfig cfg = ScoringConfig.defaults().withArchitectures(
                new dev.radar.checkpoint.ArchitecturePackages(java.util.Optional.of(architectures)));
        cache = new ModelCache(1, p -> {
            loads.add(p);
            return ScoringEngine.open(p, cfg);
        }, new ScorerMetrics(new SimpleMeterRegistry()).modelLoad());
        Path ckpt = Files.createDirectories(dir.resolve("step-200"));
        try (var files = Files.list(fixture.resolve("checkpoint-b"))) {
            for (Path f : files.toList()) {
                Files.copy(f, ckpt.resolve(f.getFileName()));
            }
        }
        Scorer first = cache.get(ckpt);
        assertSame(first, cache.get(ckpt), "unchanged folder: no reload");
        Path shard = ckpt.resolve("model-00002-of-00003.safetensors");
        Files.setLastModifiedTime(shard, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Scorer second = cache.get(ckpt);
        assertEquals(List.of(ckpt, ckpt), loads, "a re-saved shard means new weights: loaded again");
        Path half = Files.createDirectories(dir.resolve("step-300"));
        try (var files = Files.list(ckpt)) {
            for (Path f : files.toList()) {
                Files.copy(f, half.resolve(f.getFileName()));
            }
        }
        try (var f = new java.io.RandomAccessFile(half.resolve("model-00003-of-00003.safetensors").toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> cache.get(half));
        assertTrue(e.getMessage().startsWith("incomplete-checkpoint: ") && e.getMessage().contains("truncated"),
                e.getMessage());
        assertSame(second, cache.get(ckpt), "the good model stayed loaded");
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
