package dev.radar.planner;

import dev.radar.bench.Benchmark;
import dev.radar.bench.ShardPlan;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.checkpoint.TestCheckpoints;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The planner sizes shards by estimated tokens, with the visual tokens of the checkpoint's family. */
class PlannerShardSizingTest {
    private static final Path TINY = Path.of("models/tiny-mllm/checkpoints/step-000100/radar-model.json");

    @TempDir
    static Path dir;
    static Path bench;
    static Benchmark benchmark;

    @BeforeAll
    static void benchmark() {
        bench = dir.resolve("bench");
        benchmark = SyntheticBenchmark.generate(bench, 5, 42);
    }

    /** A checkpoint folder whose package description is the tiny model's with {@code tokensPerImage} visual tokens. */
    private static Path checkpoint(String name, int tokensPerImage) throws Exception {
        // The files a scoring package needs to pass the planner's checks; the description is the tiny model's.
        Path d = TestCheckpoints.scoringPackageStub(dir.resolve(name));
        String json = Files.readString(TINY).replace("\"tokensPerImage\": 256", "\"tokensPerImage\": " + tokensPerImage);
        Files.writeString(d.resolve("radar-model.json"), json);
        return d;
    }

    private static int shards(Path checkpoint, Map<String, String> settings) {
        Planner planner = new Planner(PlannerConfig.from(RadarProperties.of(Map.of(
                "benchmarks.m3-bench.path", bench.toString())).with(settings)));
        Planner.Planned p = assertInstanceOf(Planner.Planned.class, planner.plan(CheckpointSaved.newBuilder()
                .setRunId("run").setStep(1).setCheckpointUri(checkpoint.toString()).build()));
        assertEquals(p.shards().size(), p.evaluation().getShardCount());
        return p.evaluation().getShardCount();
    }

    private static long tokens(int visualTokensPerImage) {
        return benchmark.samples().stream().mapToLong(s -> ShardPlan.costOf(s, visualTokensPerImage)).sum();
    }

    @Test
    void shardCountIsTheEstimatedTokensOverTheShardBudgetWithTheFamilysVisualTokens() throws Exception {
        Map<String, String> budget = Map.of("planner.shard.tokens", "2000");
        int small = shards(checkpoint("small", 256), budget);
        int large = shards(checkpoint("large", 1024), budget);
        assertEquals((tokens(256) + 1999) / 2000, small);
        assertEquals((tokens(1024) + 1999) / 2000, large);
        assertEquals(true, large > 2 * small, small + " vs " + large + " shards");
    }

    @Test
    void samplesPerShardCapsTheShardSizeAndTheDefaultBudgetGivesFewShards() throws Exception {
        Path tiny = checkpoint("tiny", 256);
        assertEquals(5, shards(tiny, Map.of("planner.samples.per.shard", "8")), "40 samples at most 8 per shard");
        // 40 samples of about 280 tokens are one shard of the default 65,536-token budget.
        assertEquals(1, shards(tiny, Map.of()));
    }
}
