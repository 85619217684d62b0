package dev.radar.scoring.worker;

import dev.radar.bench.Benchmark;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.ShardTask;
import dev.radar.kafka.Topics;
import dev.radar.metrics.MetricNames;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ProgressListener;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.ScoringStats;
import dev.radar.scoring.djl.ScoringEngine;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer's two stages on the real tiny model, without Kafka: while shard N is on the scoring thread, the
 * preparing thread has made shard N+1's model inputs, and the scores are those of scoring each shard directly.
 */
class ShardPipelineTest {
    private static final int SHARDS = 4;
    private static final Path CHECKPOINTS = Path.of("models/tiny-mllm/checkpoints").toAbsolutePath();

    @TempDir
    Path dir;

    /**
     * The real scorer, except that scoring shard k (all but the last) holds until the pipeline has prepared shard k+1
     * (at most 20 s): with preparation ahead it never waits long; without, shard k+1 is never prepared ahead and
     * the assertions below fail. This makes the ordering certain instead of a race between the two threads.
     */
    private static final class HoldsUntilNextShardIsPrepared implements Scorer {
        final Scorer real;
        final List<CountDownLatch> prepared = new ArrayList<>();
        final AtomicInteger scored = new AtomicInteger();
        final AtomicInteger preparations = new AtomicInteger();

        HoldsUntilNextShardIsPrepared(Scorer real) {
            this.real = real;
            for (int i = 0; i < SHARDS; i++) {
                prepared.add(new CountDownLatch(1));
            }
        }

        @Override
        public PreparedShard prepare(List<dev.radar.bench.BenchSample> samples) {
            PreparedShard p = real.prepare(samples);
            // Shard 0 is prepared by the scoring thread itself (no model was loaded before it): the first call is shard 1.
            prepared.get(preparations.incrementAndGet()).countDown();
            return p;
        }

        private void holdForNext() {
            int k = scored.getAndIncrement();
            if (k + 1 < SHARDS) {
                try {
                    prepared.get(k + 1).await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public List<SampleResult> score(List<dev.radar.bench.BenchSample> samples, ProgressListener progress) {
            holdForNext();
            return real.score(samples, progress);
        }

        @Override
        public List<SampleResult> score(PreparedShard p, ProgressListener progress) {
            holdForNext();
            return real.score(p, progress);
        }

        @Override
        public ModelConfig modelConfig() {
            return real.modelConfig();
        }

        @Override
        public String promptRulesVersion() {
            return real.promptRulesVersion();
        }

        @Override
        public ScoringConfig config() {
            return real.config();
        }

        @Override
        public ScoringStats lastStats() {
            return real.lastStats();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private static Path latestCheckpoint() throws IOException {
        try (Stream<Path> dirs = Files.list(CHECKPOINTS)) {
            return dirs.filter(Files::isDirectory).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void nextShardIsPreparedWhileTheCurrentOneScoresAndScoresAreThoseOfScoringDirectly() throws Exception {
        Path bench = dir.resolve("bench");
        Benchmark benchmark = SyntheticBenchmark.generate(bench, 2, 7); // 16 samples, 4 shards of 4
        Path checkpoint = latestCheckpoint();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ScorerMetrics metrics = new ScorerMetrics(meters);
        List<HoldsUntilNextShardIsPrepared> loaded = new ArrayList<>();
        ModelCache models = new ModelCache(1, d -> {
            var s = new HoldsUntilNextShardIsPrepared(ScoringEngine.open(d, ScoringConfig.defaults()));
            loaded.add(s);
            return s;
        }, metrics.modelLoad());
        List<ShardPipeline.InFlight> inFlight = new ArrayList<>();
        try (ShardPipeline pipeline = new ShardPipeline("prepare-test", models, new CheckpointValidator(List.of(CHECKPOINTS)),
                metrics, () -> { })) {
            for (int i = 0; i < SHARDS; i++) {
                ShardTask task = ShardTask.newBuilder().setEvaluationId("prepare-test").setRunId("prepare-test")
                        .setStep(450).setCheckpointUri(checkpoint.toString()).setBenchmark("m3-bench")
                        .setBenchmarkVersion(benchmark.version()).setBenchmarkUri(bench.toString()).setShardIndex(i)
                        .setShardCount(SHARDS).setSampleCount(4).setAttempt(0).setPlannedAtMs(0).build();
                var record = new ConsumerRecord<>(Topics.SHARD_TASKS.name(), 0, i, new byte[0], new byte[0]);
                inFlight.add(pipeline.submit(new TaskBuffer.Fetched(record, task, null, i)));
            }
            List<ShardOutcome.Scored> outcomes = new ArrayList<>();
            for (ShardPipeline.InFlight f : inFlight) {
                outcomes.add(assertInstanceOf(ShardOutcome.Scored.class, f.outcome.get(5, TimeUnit.MINUTES)));
            }

            assertEquals(1, loaded.size(), "one model load");
            assertEquals(0, inFlight.get(0).samplesPreparedNanos, "shard 0: no model was loaded to prepare it with");
            for (int n = 0; n + 1 < SHARDS; n++) {
                long nextPrepared = inFlight.get(n + 1).samplesPreparedNanos;
                assertTrue(nextPrepared != 0, "shard " + (n + 1) + " was prepared ahead");
                assertTrue(nextPrepared < inFlight.get(n).scoredNanos,
                        "shard " + (n + 1) + " prepared before shard " + n + " left the scoring thread");
            }
            assertEquals(SHARDS, meters.get(MetricNames.SCORER_PREPARATION_WAIT).timer().count());

            // Same inputs, same order, same floats as scoring each shard's samples directly.
            try (Scorer direct = ScoringEngine.open(checkpoint, ScoringConfig.defaults())) {
                for (ShardOutcome.Scored o : outcomes) {
                    List<SampleResult> expected = direct.score(o.shard().samples(), ProgressListener.NONE);
                    assertEquals(expected.size(), o.results().size());
                    for (int i = 0; i < expected.size(); i++) {
                        SampleResult a = expected.get(i);
                        SampleResult b = o.results().get(i);
                        assertEquals(a.key(), b.key());
                        assertEquals(a.failure(), b.failure(), a.key());
                        assertEquals(Double.doubleToLongBits(a.sds()), Double.doubleToLongBits(b.sds()), a.key());
                        assertTrue(java.util.Arrays.equals(a.probabilities(), b.probabilities()), a.key());
                    }
                }
            }
        } finally {
            models.close();
        }
    }
}
