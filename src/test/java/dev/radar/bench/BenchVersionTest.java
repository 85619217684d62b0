package dev.radar.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.radar.bench.BenchFixtures.image;
import static dev.radar.bench.BenchFixtures.q;
import static dev.radar.bench.BenchFixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchVersionTest {
    @TempDir
    Path dir;

    private Path bench(String name) {
        Path root = dir.resolve(name);
        task(root, "synthetic", "Synthetic_color", Map.of("a", q("What color is the shape?", "red", "blue", "green"),
                "b", q("What color is the shape?", "blue", "red", "green")));
        image(root, "synthetic/images/a.jpg", "AAAA");
        image(root, "synthetic/images/b.jpg", "BBBB");
        return root;
    }

    @Test
    void versionIsAFullSha256StableAcrossLoadsAndLocations() {
        Path one = bench("one");
        String v = Benchmark.load(one).version();
        assertTrue(v.matches("[0-9a-f]{64}"), v);
        assertEquals(v, Benchmark.load(one).version());
        Path copy = dir.resolve("elsewhere/two");
        BenchFixtures.copyTree(one, copy);
        assertEquals(v, Benchmark.load(copy).version());
    }

    @Test
    void versionChangesWithQuestionCandidateOrImageByte() throws Exception {
        Path root = bench("b");
        String v0 = Benchmark.load(root).version();

        Path f = root.resolve("synthetic/Synthetic_color_2_pretrained_mllm_eval.json");
        String json = Files.readString(f);
        Files.writeString(f, json.replace("\"What color is the shape?\",\"answer\":\"red\"", "\"What colour?\",\"answer\":\"red\""));
        String v1 = Benchmark.load(root).version();
        assertNotEquals(v0, v1);

        Files.writeString(f, json.replace("\"green\"]", "\"purple\"]"));
        String v2 = Benchmark.load(root).version();
        assertNotEquals(v0, v2);
        assertNotEquals(v1, v2);

        Files.writeString(f, json);
        assertEquals(v0, Benchmark.load(root).version());
        // Same size, one byte different, written right after the load cached the digests.
        image(root, "synthetic/images/a.jpg", "AAAB");
        assertNotEquals(v0, Benchmark.load(root).version());
    }

    @Test
    void cacheAvoidsRehashingUnchangedImagesButSeesChangedOnes() {
        Path root = bench("c");
        BenchFixtures.age(root);
        Benchmark first = Benchmark.load(root);
        assertEquals(2, first.hashedImages());
        assertTrue(Files.isRegularFile(root.resolve(".radar/version.json")));
        Benchmark second = Benchmark.load(root);
        assertEquals(0, second.hashedImages());
        assertEquals(first.version(), second.version());

        image(root, "synthetic/images/b.jpg", "BBBC");
        Benchmark third = Benchmark.load(root);
        assertEquals(1, third.hashedImages());
        assertNotEquals(first.version(), third.version());
    }

    @Test
    void taxonomyDoesNotChangeTheVersion() throws Exception {
        Path root = bench("t");
        String v = Benchmark.load(root).version();
        Files.writeString(root.resolve("taxonomy.yaml"),
                "version: x\nsources:\n  Synthetic: {ability: reasoning, fine: other}\n");
        Benchmark b = Benchmark.load(root);
        assertEquals("other", b.taxonomy().abilityOf("Synthetic_color").fineAbility());
        assertEquals(v, b.version());
    }
}
