package dev.radar.planner;

import dev.radar.bench.SyntheticBenchmark;
import dev.radar.checkpoint.TestCheckpoints;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.ShardTask;
import dev.radar.events.TaskExpectation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerTest {

    @TempDir
    static Path dir;
    static Path bench;
    static Path checkpoint;

    @BeforeAll
    static void benchmarkAndCheckpoint() throws Exception {
        bench = dir.resolve("bench");
        SyntheticBenchmark.generate(bench, 5, 42);
        checkpoint = TestCheckpoints.scoringPackageStub(dir.resolve("ckpt/step-100"));
    }

    private static Planner planner() {
        return new Planner(PlannerConfig.from(RadarProperties.of(Map.of(
                "benchmarks.m3-bench.path", bench.toString(),
                "planner.allowed.roots", dir.resolve("ckpt").toString(),
                "planner.samples.per.shard", "8"))));
    }

    private static CheckpointSaved.Builder event(long step) {
        return CheckpointSaved.newBuilder().setRunId("run-1").setStep(step).setTokensSeen(step * 1000)
                .setCheckpointUri(checkpoint.toUri().toString());
    }

    @Test
    void plansExpectedCountsPerTaskAndAbilityAndCoversEverySampleOnce() {
        Planner.Planned p = assertInstanceOf(Planner.Planned.class, planner().plan(event(100).build()));
        EvaluationPlanned e = p.evaluation();
        assertEquals(8 * 5, e.getExpectedSamples(), "8 synthetic tasks x 5 samples");
        assertEquals(8, e.getTasks().size());
        assertEquals(e.getExpectedSamples(), e.getTasks().stream().mapToInt(TaskExpectation::getExpectedSamples).sum());
        assertEquals(20, e.getExpectedByAbility().get("perception"));
        assertEquals(20, e.getExpectedByAbility().get("reasoning"));
        assertEquals(5, e.getShardCount(), "40 samples at 8 per shard");
        assertEquals(e.getExpectedSamples(), p.shards().stream().mapToInt(ShardTask::getSampleCount).sum());
        assertTrue(p.shards().stream().allMatch(s -> s.getBenchmarkVersion().equals(e.getBenchmarkVersion())));
    }

    @Test
    void sameCheckpointTwiceIsEvaluatedOnceUnlessReevaluationIsAsked() {
        Planner planner = planner();
        Planner.Planned first = assertInstanceOf(Planner.Planned.class, planner.plan(event(100).build()));
        assertInstanceOf(Planner.Duplicate.class, planner.plan(event(100).build()));
        Planner.Planned again = assertInstanceOf(Planner.Planned.class, planner.plan(event(100).setReevaluate(true).build()));
        assertNotEquals(first.evaluation().getEvaluationId(), again.evaluation().getEvaluationId());

        Planner restarted = planner();
        restarted.remember(first.evaluation());
        assertInstanceOf(Planner.Duplicate.class, restarted.plan(event(100).build()), "dedupe survives a restart");
        restarted.forget(first.evaluation());
        assertInstanceOf(Planner.Planned.class, restarted.plan(event(100).build()), "an aborted plan is retried");
    }

    @Test
    void rejectsUnknownBenchmarkMissingCheckpointAndPathsOutsideRoots() {
        Planner planner = planner();
        assertEquals("unknown-benchmark", reason(planner.plan(event(1).setBenchmark("mmmu").build())));
        assertEquals("checkpoint-missing", reason(planner.plan(event(2).setCheckpointUri(
                dir.resolve("ckpt/step-999").toString()).build())));
        assertEquals("uri-outside-allowed-roots", reason(planner.plan(event(3).setCheckpointUri("/tmp").build())));
        assertEquals("invalid-step", reason(planner.plan(event(-3).build())));
    }

    @Test
    void benchmarkFolderCanComeFromAnEnvironmentVariable() {
        PlannerConfig cfg = PlannerConfig.from(RadarProperties.load(null, Map.of("RADAR_BENCHMARKS_M3_BENCH_PATH", "/data/m3")));
        assertEquals(Path.of("/data/m3"), cfg.benchmarkPath("m3-bench").orElseThrow());
        assertTrue(cfg.benchmarkPath("mmmu").isEmpty());
    }

    private static String reason(Planner.Outcome o) {
        return assertInstanceOf(Planner.Rejected.class, o).reason();
    }
}
