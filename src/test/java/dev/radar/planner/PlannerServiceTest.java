package dev.radar.planner;

import dev.radar.bench.SyntheticBenchmark;
import dev.radar.checkpoint.TestCheckpoints;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.ShardTask;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.PoisonRecords;
import dev.radar.testing.TestBroker;
import dev.radar.testing.TopicReader;
import dev.radar.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner service on the real embedded broker: poison (garbage, null, a 2 GiB declared string) and invalid events are dead-lettered, good ones planned once. */
@Tag("integration")
class PlannerServiceTest {

    @Test
    void thePlannerIsReadyOnlyOnceItsGroupHasTakenItIn() throws Exception {
        String group = "planner-ready-" + UUID.randomUUID();
        KafkaSettings settings = new KafkaSettings(TestBroker.settings().properties().with("planner.group.id", group));
        // A member that joined and stopped polling holds the rebalance the planner's join starts until it polls again.
        Properties bp = settings.consumer(group, "blocker");
        bp.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000");
        try (KafkaConsumer<byte[], byte[]> blocker = new KafkaConsumer<>(bp)) {
            blocker.subscribe(List.of(Topics.CHECKPOINTS.name()));
            Waits.until("the blocker to hold partitions", Duration.ofSeconds(60), () -> {
                blocker.poll(Duration.ofMillis(100));
                return !blocker.assignment().isEmpty();
            });
            PlannerService planner = new PlannerService(settings, PlannerConfig.from(settings.properties()),
                    new SimpleMeterRegistry());
            planner.start();
            try (Admin admin = Admin.create(settings.admin())) {
                Waits.until("the planner's join to wait in the rebalance", Duration.ofSeconds(60), () -> {
                    try {
                        return admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState()
                                == GroupState.PREPARING_REBALANCE;
                    } catch (Exception e) {
                        return false;
                    }
                });
                assertTrue(planner.healthy());
                assertFalse(planner.ready());
                assertEquals("not a member of consumer group " + group + " yet (joining)", planner.notReadyReason());
                Waits.until("the planner ready once the rebalance completes", Duration.ofSeconds(60), () -> {
                    blocker.poll(Duration.ofMillis(100));
                    return planner.ready();
                });
            } finally {
                planner.stop();
            }
            assertEquals("its poll loop is not running", planner.notReadyReason());
        }
    }

    @Test
    void deadLettersBadEventsAndPlansGoodOnesExactlyOnce(@TempDir Path dir) throws Exception {
        Path bench = dir.resolve("bench");
        SyntheticBenchmark.generate(bench, 3, 7);
        Path ckpt = TestCheckpoints.scoringPackageStub(dir.resolve("ckpt/step-10"));
        String run = "planner-it-" + UUID.randomUUID();
        String group = "planner-" + run;
        KafkaSettings settings = new KafkaSettings(TestBroker.settings().properties()
                .with("benchmarks.m3-bench.path", bench.toString())
                .with("planner.group.id", group)
                .with("planner.samples.per.shard", "6"));

        CheckpointSaved good;
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test"))) {
            String topic = Topics.CHECKPOINTS.name();
            var ser = Topics.CHECKPOINTS.valueSerde().serializer();
            producer.send(new ProducerRecord<>(topic, run.getBytes(), "not avro".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(topic, run.getBytes(), null));
            producer.send(new ProducerRecord<>(topic, run.getBytes(),
                    PoisonRecords.hugeStringField(CheckpointSaved.getClassSchema())));
            good = CheckpointSaved.newBuilder().setRunId(run).setStep(10)
                    .setCheckpointUri(ckpt.toString()).build();
            producer.send(new ProducerRecord<>(topic, run.getBytes(), ser.serialize(topic,
                    CheckpointSaved.newBuilder(good).setStep(-1).build())));
            producer.send(new ProducerRecord<>(topic, run.getBytes(), ser.serialize(topic, good)));
            producer.send(new ProducerRecord<>(topic, run.getBytes(), ser.serialize(topic, good)));
        }
        PlannerService planner = new PlannerService(settings, PlannerConfig.from(settings.properties()), new SimpleMeterRegistry());
        planner.start();
        try {
            List<DeadLetter> letters = TopicReader.read(settings, Topics.DEAD_LETTERS,
                    d -> d.getComponent().equals("planner") && d.getSourceTopic().equals(Topics.CHECKPOINTS.name())
                            && d.getKey() != null && new String(d.getKey().array(), StandardCharsets.UTF_8).equals(run),
                    4, Duration.ofSeconds(30));
            assertEquals(List.of("undecodable-event", "undecodable-event", "undecodable-event", "invalid-step"),
                    letters.stream().map(DeadLetter::getReason).sorted(java.util.Comparator.reverseOrder()).toList());
            assertEquals(3, letters.stream().filter(d -> d.getValue() != null).count(), "raw bytes are kept");
            assertTrue(letters.stream().anyMatch(d -> d.getDetail().contains("empty record")), "the null value is named");
            assertTrue(letters.stream().anyMatch(d -> d.getDetail().contains("exceeds maximum allowed")),
                    "the 2 GiB string is a decode error: " + letters.stream().map(DeadLetter::getDetail).toList());

            List<EvaluationPlanned> plans = TopicReader.read(settings, Topics.EVALUATIONS,
                    e -> e.getRunId().equals(run), 1, Duration.ofSeconds(30));
            assertEquals(1, plans.size());
            EvaluationPlanned plan = plans.get(0);
            assertEquals(24, plan.getExpectedSamples());
            assertEquals(EventKeys.evaluationId(run, 10, plan.getBenchmarkVersion()), plan.getEvaluationId());
            List<ShardTask> shards = TopicReader.read(settings, Topics.SHARD_TASKS,
                    s -> s.getRunId().equals(run), plan.getShardCount(), Duration.ofSeconds(30));
            assertEquals(4, shards.size());
            assertEquals(24, shards.stream().mapToInt(ShardTask::getSampleCount).sum());
            // A later checkpoint of the run marks the end: the planner reads the run's events in order, so by the
            // time step 20 is planned the duplicate of step 10 has been handled; it must have planned nothing.
            Path later = TestCheckpoints.scoringPackageStub(dir.resolve("ckpt/step-20"));
            try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test"))) {
                producer.send(Topics.CHECKPOINTS.record(run, CheckpointSaved.newBuilder(good).setStep(20)
                        .setCheckpointUri(later.toString()).build()));
            }
            List<Long> plannedSteps = TopicReader.readThrough(settings, Topics.EVALUATIONS, e -> e.getRunId().equals(run),
                    e -> e.getStep() == 20, Duration.ofSeconds(30)).stream().map(EvaluationPlanned::getStep).sorted().toList();
            assertEquals(List.of(10L, 20L), plannedSteps, "the duplicate event planned nothing");
        } finally {
            planner.stop();
        }
    }
}
