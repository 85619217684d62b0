package dev.radar.scoring.worker;

import dev.radar.events.EvaluationPlanned;
import dev.radar.events.SampleScore;
import dev.radar.kafka.Topics;
import dev.radar.metrics.MetricNames;
import dev.radar.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer's pipeline on a real broker of its own with the real tiny TorchScript checkpoints: it does not wait
 * out its poll interval between shards, and loads each of several queued checkpoints once.
 */
@Tag("integration")
class ScorerPipelineTest {
    private static final int EXPECTED = PlannedScoringBed.SAMPLES_PER_CHECKPOINT; // 6 shards of 4
    private static final int SHARDS = EXPECTED / PlannedScoringBed.SAMPLES_PER_SHARD;
    private static final Path CHECKPOINTS = PlannedScoringBed.CHECKPOINTS;

    @TempDir
    static Path dir;
    static PlannedScoringBed bed;

    @BeforeAll
    static void startBrokerAndPlanner() {
        bed = PlannedScoringBed.start(dir, Map.of("scorer.model.cache", "1"));
    }

    @AfterAll
    static void stopAll() {
        if (bed != null) {
            bed.close();
        }
    }

    private static List<SampleScore> scoresOf(String run, int expected) {
        return TopicReader.read(bed.settings(), Topics.SAMPLE_SCORES, s -> s.getRunId().equals(run), expected,
                Duration.ofSeconds(150));
    }

    @Test
    void aScorerWithA30SecondPollCommitsEachShardWithoutWaitingOutThePoll() throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ScorerService scorer = bed.scorer("long-poll", Map.of("scorer.poll.ms", "30000"), meters);
        scorer.start();
        try {
            bed.publish("run-long-poll", 100, CHECKPOINTS.resolve("step-000100"));
            List<SampleScore> scores = scoresOf("run-long-poll", EXPECTED);
            // Waiting out a 30 s poll per shard would take 180 s for these 6 shards, longer than the read waits.
            assertEquals(EXPECTED, scores.stream().map(s -> s.getTask() + "/" + s.getSampleId()).distinct().count());
            assertEquals(SHARDS, meters.get(MetricNames.SCORER_SHARD_LATENCY).timer().count(), "shards committed");
            assertEquals(0.0, meters.get(MetricNames.SCORER_STALLED_POLLS).counter().count(),
                    "no poll ran to its timeout while a scored shard waited for its commit");
            // The scorer's own consumer exports its lag: the client's windowed maximum at once (per partition of
            // radar.shard-tasks from the binder's next refresh, once partitions are assigned). It saw this run's
            // tasks waiting, never more than were published.
            double lagMax = meters.get("kafka.consumer.fetch.manager.records.lag.max").gauge().value();
            assertTrue(lagMax >= 0 && lagMax <= SHARDS, "records-lag-max of the scorer's consumer: " + lagMax);
        } finally {
            scorer.stop();
        }
    }

    @Test
    void sevenQueuedCheckpointsAreEachLoadedOnceByOneScorer() throws IOException {
        List<Path> checkpoints;
        try (Stream<Path> s = Files.list(CHECKPOINTS)) {
            checkpoints = s.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(7, checkpoints.size(), "the tiny model's seven snapshots");
        for (int i = 0; i < checkpoints.size(); i++) {
            bed.publish("run-queued", 10L * (i + 1), checkpoints.get(i));
        }
        // All seven planned (their shard tasks queued) before the scorer starts.
        Set<Long> planned = TopicReader.read(bed.settings(), Topics.EVALUATIONS,
                e -> e.getRunId().equals("run-queued"), 7, Duration.ofSeconds(60)).stream()
                .map(EvaluationPlanned::getStep).collect(Collectors.toSet());
        assertEquals(7, planned.size(), "seven evaluations planned");

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ScorerService scorer = bed.scorer("queued", Map.of(), meters);
        scorer.start();
        try {
            List<SampleScore> scores = scoresOf("run-queued", 7 * EXPECTED);
            assertEquals(7 * EXPECTED, scores.stream().map(s -> s.getStep() + "/" + s.getTask() + "/" + s.getSampleId())
                    .distinct().count(), "every sample of every checkpoint scored");
            assertEquals(7, meters.get(MetricNames.SCORER_MODEL_LOAD).timer().count(),
                    "one load per checkpoint with a one-model cache");
        } finally {
            scorer.stop();
        }
    }
}
