package dev.radar.scoring.worker;

import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import dev.radar.kafka.Topics;
import dev.radar.testing.PoisonRecords;
import dev.radar.testing.TopicReader;
import dev.radar.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Planner + scorers on a real broker of their own (so no other test's shard tasks reach these scorers), with the
 * real tiny TorchScript model: shards shared, a scorer hard-killed mid-transaction, poison and corrupt inputs.
 */
@Tag("integration")
class DistributedScoringTest {
    private static final int EXPECTED = PlannedScoringBed.SAMPLES_PER_CHECKPOINT;
    private static final Path CHECKPOINT = PlannedScoringBed.CHECKPOINTS.resolve("step-000100");

    @TempDir
    static Path dir;
    static PlannedScoringBed bed;
    static final List<ScorerService> scorers = new ArrayList<>();

    @BeforeAll
    static void startBrokerAndPlanner() {
        bed = PlannedScoringBed.start(dir, Map.of(
                "scorer.max.attempts", "2",
                "scorer.poll.ms", "50",
                "kafka.session.timeout.ms", "6000",
                "kafka.heartbeat.interval.ms", "1000"));
    }

    @AfterAll
    static void stopAll() {
        scorers.forEach(ScorerService::stop);
        if (bed != null) {
            bed.close();
        }
    }

    static ScorerService scorer(String id, Map<String, String> extra) {
        ScorerService s = bed.scorer(id, extra, new SimpleMeterRegistry());
        scorers.add(s);
        return s;
    }

    /** Every committed score of a run, grouped by sample key (task/id). */
    static Map<String, List<SampleScore>> scoresOf(String run, Duration window) {
        TopicReader.read(bed.settings(), Topics.SAMPLE_SCORES, s -> s.getRunId().equals(run), EXPECTED, window);
        // then everything committed by now, not a time window: a duplicate committed with or after the full set shows
        List<SampleScore> all = TopicReader.readToEnd(bed.settings(), Topics.SAMPLE_SCORES, s -> s.getRunId().equals(run), window);
        return all.stream().collect(Collectors.groupingBy(s -> s.getTask() + "/" + s.getSampleId(), TreeMap::new,
                Collectors.toList()));
    }

    @Test
    void twoScorersShareTheShardsAndEverySampleIsScoredExactlyOnce() throws Exception {
        ScorerService a = scorer("share-a", Map.of());
        ScorerService b = scorer("share-b", Map.of());
        a.start();
        b.start();
        try {
            // Both must hold partitions before the tasks exist: a scorer alone in the group would take every shard
            // (the tiny model scores a shard faster than a second member joins), which says nothing about sharing.
            awaitMembersWithPartitions(ScorerConfig.from(bed.properties()).groupId(), 2);
            bed.publish("run-share", 100, CHECKPOINT);
            Map<String, List<SampleScore>> byKey = scoresOf("run-share", Duration.ofSeconds(90));
            assertEquals(EXPECTED, byKey.size(), "every sample scored");
            assertTrue(byKey.values().stream().allMatch(l -> l.size() == 1), "no sample scored twice: " + byKey);
            Set<String> scorerIds = byKey.values().stream().map(l -> l.get(0).getScorerId()).collect(Collectors.toSet());
            assertEquals(Set.of("share-a", "share-b"), scorerIds, "both scorers took shards");
            assertTrue(byKey.values().stream().allMatch(l -> l.get(0).getFailure() == null));
            // The tiny package is contract 1: its version is the family and a digest of its template strings.
            assertTrue(byKey.values().stream().allMatch(l -> l.get(0).getPromptRules() != null
                    && l.get(0).getPromptRules().startsWith("tiny/template-")), "prompt-rules version recorded");
        } finally {
            // Never left in the group for the next test, whose victim must get the tasks.
            a.stop();
            b.stop();
        }
    }

    /** Waits until {@code members} consumers of {@code group} each hold at least one partition. */
    private static void awaitMembersWithPartitions(String group, int members) throws Exception {
        try (Admin admin = Admin.create(bed.settings().admin())) {
            Waits.until(members + " members of " + group + " with partitions", Duration.ofSeconds(60), () -> {
                try {
                    return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                            .filter(m -> !m.assignment().topicPartitions().isEmpty()).count() == members;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    void aScorerKilledMidShardIsRescoredByAnotherAndEachSampleIsCommittedOnce() throws Exception {
        AtomicBoolean crashed = new AtomicBoolean();
        ScorerService victim = scorer("victim", Map.of("scorer.transaction.timeout.ms", "5000"));
        victim.setSendHook((task, sent) -> {
            if (sent == 2 && crashed.compareAndSet(false, true)) {
                throw new ScorerService.SimulatedCrash("killed after 2 scores of shard " + task.getShardIndex());
            }
        });
        victim.start();
        bed.publish("run-crash", 200, CHECKPOINT);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!victim.isStopped() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(crashed.get() && victim.isStopped(), "the victim died mid-transaction");

        ScorerService survivor = scorer("survivor", Map.of());
        survivor.start();
        Map<String, List<SampleScore>> byKey = scoresOf("run-crash", Duration.ofSeconds(120));
        assertEquals(EXPECTED, byKey.size(), "every sample scored, the killed shard included");
        assertTrue(byKey.values().stream().allMatch(l -> l.size() == 1),
                "read_committed sees each sample once; the victim's partial shard was aborted");
        survivor.stop();
    }

    @Test
    void poisonEventAndCorruptCheckpointEndInDeadLettersWhileAGoodCheckpointIsEvaluated() throws Exception {
        Path corrupt = Files.createDirectories(dir.resolve("corrupt/step-5"));
        for (String f : List.of("tokenizer.json", "radar-model.json")) {
            Files.copy(CHECKPOINT.resolve(f).toRealPath(), corrupt.resolve(f));
        }
        Files.writeString(corrupt.resolve("model.pt"), "this is not a TorchScript archive");
        try (var producer = new KafkaProducer<byte[], byte[]>(bed.settings().producer("test"))) {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINTS.name(), "run-bad/1".getBytes(), new byte[]{1, 2, 3}));
            // Straight onto the scorers' topic: a null value and a record declaring a 2 GiB string. Each once
            // stopped every scorer for good (NullPointerException, OutOfMemoryError) on a record never committed.
            producer.send(new ProducerRecord<>(Topics.SHARD_TASKS.name(), "run-bad/2".getBytes(), null));
            producer.send(new ProducerRecord<>(Topics.SHARD_TASKS.name(), "run-bad/3".getBytes(),
                    PoisonRecords.hugeStringField(ShardTask.getClassSchema())));
        }
        bed.publish("run-bad", 5, corrupt);
        bed.publish("run-bad", 300, CHECKPOINT);
        ScorerService s = scorer("resilient", Map.of());
        s.start();

        List<DeadLetter> letters = TopicReader.read(bed.settings(), Topics.DEAD_LETTERS,
                d -> d.getSourceTopic().equals(Topics.CHECKPOINTS.name()) || "run-bad".equals(d.getRunId()),
                2, Duration.ofSeconds(90));
        Map<String, String> reasons = letters.stream().collect(Collectors.toMap(DeadLetter::getReason,
                DeadLetter::getComponent, (x, y) -> x));
        assertEquals("planner", reasons.get("undecodable-event"));
        List<DeadLetter> poison = TopicReader.read(bed.settings(), Topics.DEAD_LETTERS,
                d -> d.getSourceTopic().equals(Topics.SHARD_TASKS.name()) && d.getKey() != null
                        && Set.of("run-bad/2", "run-bad/3").contains(new String(d.getKey().array())),
                2, Duration.ofSeconds(90));
        assertEquals(List.of("undecodable-shard-task", "undecodable-shard-task"),
                poison.stream().map(DeadLetter::getReason).toList(), "null and oversized shard tasks: " + poison);
        assertEquals("scorer", reasons.get("checkpoint-load-failed"), "corrupt checkpoint dead-lettered: " + letters);
        assertTrue(letters.stream().filter(d -> d.getReason().equals("checkpoint-load-failed"))
                .allMatch(d -> d.getDetail().contains("model.pt") || d.getDetail().contains("step-5")), "reason names the file");

        String goodEval = TopicReader.read(bed.settings(), Topics.EVALUATIONS,
                e -> e.getRunId().equals("run-bad") && e.getStep() == 300, 1, Duration.ofSeconds(30))
                .stream().map(EvaluationPlanned::getEvaluationId).findFirst().orElseThrow();
        Map<String, List<SampleScore>> byKey = TopicReader.read(bed.settings(), Topics.SAMPLE_SCORES,
                x -> x.getEvaluationId().equals(goodEval), EXPECTED, Duration.ofSeconds(90)).stream()
                .collect(Collectors.groupingBy(x -> x.getTask() + "/" + x.getSampleId()));
        assertEquals(EXPECTED, byKey.size(), "the good checkpoint after the bad ones is fully evaluated");
        s.stop();
    }

}
