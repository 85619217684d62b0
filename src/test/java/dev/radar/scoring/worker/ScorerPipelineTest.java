package dev.radar.scoring.worker;

import dev.radar.bench.SyntheticBenchmark;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.SampleScore;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.Topics;
import dev.radar.metrics.MetricNames;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import dev.radar.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    private static final int SAMPLES_PER_TASK = 3; // 8 synthetic tasks -> 24 samples, 6 shards of 4
    private static final int EXPECTED = 8 * SAMPLES_PER_TASK;
    private static final int SHARDS = EXPECTED / 4;
    private static final Path CHECKPOINTS = Path.of("models/tiny-mllm/checkpoints").toAbsolutePath();

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static RadarProperties props;
    static PlannerService planner;

    @BeforeAll
    static void startBrokerAndPlanner() {
        broker = new EmbeddedKafkaBroker();
        broker.start();
        Path bench = dir.resolve("bench");
        SyntheticBenchmark.generate(bench, SAMPLES_PER_TASK, 11);
        props = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, broker.bootstrapServers(),
                "benchmarks.m3-bench.path", bench.toString(),
                "planner.samples.per.shard", "4",
                "scorer.model.cache", "1"));
        TopicAdmin.ensureTopics(new KafkaSettings(props));
        planner = new PlannerService(new KafkaSettings(props), PlannerConfig.from(props), new SimpleMeterRegistry());
        planner.start();
    }

    @AfterAll
    static void stopAll() {
        if (planner != null) {
            planner.stop();
        }
        if (broker != null) {
            broker.stop();
        }
    }

    private static void publish(String run, long step, Path checkpoint) {
        var t = Topics.CHECKPOINTS;
        KafkaSettings kafka = new KafkaSettings(props);
        try (var producer = new KafkaProducer<>(kafka.producer("test"), t.keySerde().serializer(), t.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(t.name(), run + "/" + step, CheckpointSaved.newBuilder().setRunId(run)
                    .setStep(step).setCheckpointUri(checkpoint.toString()).build()));
        }
    }

    private static List<SampleScore> scoresOf(String run, int expected) {
        return TopicReader.read(new KafkaSettings(props), Topics.SAMPLE_SCORES, s -> s.getRunId().equals(run), expected,
                Duration.ofSeconds(150));
    }

    @Test
    void aScorerWithA30SecondPollCommitsEachShardWithoutWaitingOutThePoll() throws InterruptedException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RadarProperties p = props.with(Map.of("scorer.id", "long-poll", "scorer.poll.ms", "30000"));
        ScorerService scorer = new ScorerService(new KafkaSettings(p), ScorerConfig.from(p), meters);
        scorer.start();
        try {
            publish("run-long-poll", 100, CHECKPOINTS.resolve("step-000100"));
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
            publish("run-queued", 10L * (i + 1), checkpoints.get(i));
        }
        // All seven planned (their shard tasks queued) before the scorer starts.
        Set<Long> planned = TopicReader.read(new KafkaSettings(props), Topics.EVALUATIONS,
                e -> e.getRunId().equals("run-queued"), 7, Duration.ofSeconds(60)).stream()
                .map(EvaluationPlanned::getStep).collect(Collectors.toSet());
        assertEquals(7, planned.size(), "seven evaluations planned");

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RadarProperties p = props.with(Map.of("scorer.id", "queued"));
        ScorerService scorer = new ScorerService(new KafkaSettings(p), ScorerConfig.from(p), meters);
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
