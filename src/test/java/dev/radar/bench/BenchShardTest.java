package dev.radar.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.RadarException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.radar.bench.BenchFixtures.image;
import static dev.radar.bench.BenchFixtures.q;
import static dev.radar.bench.BenchFixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchShardTest {
    @TempDir
    Path root;

    /** Four tasks with questions of varied length and image count, so costs differ. */
    @BeforeEach
    void write() {
        for (String t : List.of("alpha", "beta", "gamma", "delta")) {
            Map<String, ObjectNode> qs = new LinkedHashMap<>();
            for (int i = 1; i <= 9; i++) {
                ObjectNode v = q("Q".repeat(i * t.length() * 7), "yes" + i, "no" + i, "maybe");
                int n = 1 + (i + t.length()) % 3;
                v.put("img_num", n);
                qs.put("q" + i, v);
                for (int k = 1; k <= n; k++) {
                    image(root, "folder_" + t + "/images/q" + i + (n == 1 ? "" : "_" + k) + ".jpg");
                }
            }
            task(root, "folder_" + t, "Src_" + t, qs);
        }
        taxonomy();
    }

    private Benchmark load() {
        return Benchmark.load(root, taxonomy());
    }

    private Taxonomy taxonomy() {
        try {
            // The benchmark's own taxonomy file, which shard loads read too; written once, so the cached version stays trusted.
            Path f = root.resolve(Taxonomy.FILE_NAME);
            if (!Files.exists(f)) {
                Files.writeString(f, "sources:\n  Src: {ability: reasoning, fine: testing}\n");
            }
            return Taxonomy.load(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void planCoversEverySampleOnceWithBalancedCost() {
        Benchmark b = load();
        assertEquals(36, b.samples().size(), b.problems().toString());
        ShardPlan p = b.shardPlan(4);
        assertEquals(4, p.shardCount());
        Set<String> seen = new HashSet<>();
        long maxSample = 0;
        for (BenchSample s : b.samples()) {
            maxSample = Math.max(maxSample, ShardPlan.costOf(s));
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (ShardPlan.Shard s : p.shards()) {
            s.sampleKeys().forEach(k -> assertTrue(seen.add(k), "twice: " + k));
            min = Math.min(min, s.cost());
            max = Math.max(max, s.cost());
        }
        assertEquals(36, seen.size());
        assertTrue(max - min <= maxSample, "LPT keeps shards within one sample's cost: " + min + ".." + max);
        assertEquals(p.shards().stream().mapToInt(s -> s.sampleKeys().size()).sum(), 36);
    }

    @Test
    void planIsDeterministicAndShardsLoadLikeTheFullBenchmark() {
        Benchmark b = load();
        ShardPlan p = b.shardPlan(3);
        assertEquals(p.shards(), load().shardPlan(3).shards());
        assertTrue(Files.isRegularFile(root.resolve(".radar/shards-" + b.version() + "-3.json")));
        Map<String, BenchSample> all = new LinkedHashMap<>();
        b.samples().forEach(s -> all.put(s.key(), s));
        for (int i = 0; i < 3; i++) {
            Benchmark.Shard loaded = Benchmark.loadShard(root, b.version(), i, 3);
            List<BenchSample> shard = loaded.samples();
            List<BenchSample> expected = new ArrayList<>();
            p.shard(i).sampleKeys().forEach(k -> expected.add(all.get(k)));
            assertEquals(expected, shard);
            assertEquals(shard.size(), Benchmark.sampleCountOfShard(root, b.version(), i, 3));
            assertEquals(shard.size(), p.sampleCountOfShard(i));
            // Abilities come from the shard's own tasks, as the whole benchmark's taxonomy assigns them.
            for (BenchSample s : shard) {
                assertEquals(b.taxonomy().abilityOf(s.task()), loaded.abilityOf(s.task()));
            }
        }
    }

    @Test
    void shardReadsOnlyItsFilesWhenTheCachedVersionIsTrusted() throws Exception {
        BenchFixtures.age(root);
        Benchmark b = load();
        b.shardPlan(8);
        ShardIndex.Loaded one = ShardIndex.load(root, b.version(), 0, 8);
        assertFalse(one.fullLoad());
        long tasksInShard = b.shardPlan(8).shard(0).sampleKeys().stream().map(k -> k.split("/")[0]).distinct().count();
        assertEquals(tasksInShard, one.taskFilesRead(), "reads only the task files of its own samples");
        assertEquals(b.shardPlan(8).sampleCountOfShard(0), one.samples().size());

        // Missing index: built on demand (by one full read).
        Files.delete(ShardIndex.file(root, b.version(), 8));
        assertEquals(one.samples(), Benchmark.loadShard(root, b.version(), 0, 8).samples());
        assertTrue(Files.isRegularFile(ShardIndex.file(root, b.version(), 8)));
    }

    @Test
    void wrongVersionOnDiskIsRefused() {
        Benchmark b = load();
        b.shardPlan(2);
        image(root, "folder_alpha/images/q2_1.jpg", "changed");
        RadarException e = assertThrows(RadarException.class, () -> Benchmark.loadShard(root, b.version(), 0, 2));
        assertTrue(e.getMessage().contains(b.version()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Benchmark.loadShard(root, b.version(), 2, 2));
        assertThrows(IllegalArgumentException.class, () -> b.shardPlan(0));
    }
}
