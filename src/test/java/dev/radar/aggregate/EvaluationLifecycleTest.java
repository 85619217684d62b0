package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.kafka.Topics;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The life of an evaluation on the real topology (TopologyTestDriver): a re-evaluation is its own evaluation,
 * scores of an evaluation never planned are held then dead-lettered, NaN scores are dead-lettered, and the dedupe
 * state of complete evaluations is sealed after the retention. Each case ends with a good checkpoint that must
 * complete with the right numbers. Record timestamps are explicit: the hold and the retention run on record time.
 */
class EvaluationLifecycleTest {
    private static final String V1 = "v1-0123456789abcdef";
    private static final double EPS = 1e-9;
    private static final long T0 = TestTopology.T0;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, SampleScore> scores;
    private TestInputTopic<String, EvaluationPlanned> plans;
    private TestOutputTopic<String, AbilityReport> reports;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private StoreQueries queries;
    private long now = T0;

    private void start(Map<String, String> overrides) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("aggregator.maintenance.interval.ms", "100");
        settings.putAll(overrides);
        driver = TestTopology.start(stateDir, settings);
        scores = TestTopology.input(driver, Topics.SAMPLE_SCORES);
        plans = TestTopology.input(driver, Topics.EVALUATIONS);
        reports = TestTopology.output(driver, Topics.ABILITY_REPORTS);
        deadLetters = TestTopology.output(driver, Topics.DEAD_LETTERS);
        queries = new StoreQueries(driver::getKeyValueStore);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Sends at the current record time, which {@link #later} moves on. */
    private void send(SampleScore s) {
        scores.pipeInput(EventKeys.checkpoint(s.getRunId(), s.getStep()), s, now);
    }

    private void send(EvaluationPlanned p) {
        plans.pipeInput(EventKeys.checkpoint(p.getRunId(), p.getStep()), p, now);
    }

    private void later(long ms) {
        now += ms;
    }

    private static SampleScore of(String evaluationId, SampleScore s) {
        s.setEvaluationId(evaluationId);
        return s;
    }

    private static EvaluationPlanned of(String evaluationId, EvaluationPlanned p) {
        p.setEvaluationId(evaluationId);
        return p;
    }

    private static AbilityScore task(AbilityReport r, TestEvents.Task t) {
        return r.getTasks().stream().filter(s -> s.getName().equals(t.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no task " + t.name() + " in " + r));
    }

    private static AbilityReport last(List<KeyValue<String, AbilityReport>> out, String key) {
        return TestTopology.last(out, key);
    }

    /** A good checkpoint: 2 colour samples (0.9, 0.7) and 2 counting samples (0.4, 0.2), one of them correct. */
    private void goodCheckpoint(String run, long step) {
        send(plan(run, step, V1, Map.of(COLOURS, 2, COUNTING, 2)));
        send(score(run, step, V1, COLOURS, "g1", 0.9, true));
        send(score(run, step, V1, COLOURS, "g2", 0.7, true));
        send(score(run, step, V1, COUNTING, "g1", 0.4, true));
        send(score(run, step, V1, COUNTING, "g2", 0.2, false));
    }

    private void assertGoodCheckpointCompleted(String run, long step) {
        AbilityReport r = queries.reports(run).stream().filter(x -> x.getStep() == step).findFirst()
                .orElseThrow(() -> new AssertionError("no report for " + run + " step " + step));
        assertTrue(r.getComplete());
        assertEquals(0.8, task(r, COLOURS).getSds(), EPS);
        assertEquals(2, task(r, COLOURS).getSamples());
        assertEquals(0.3, task(r, COUNTING).getSds(), EPS);
        assertEquals(0.5, task(r, COUNTING).getAccuracy(), EPS);
        assertEquals((0.8 + 0.3) / 2, r.getAbilities().stream()
                .filter(a -> a.getLevel().equals("ability")).mapToDouble(AbilityScore::getSds).average().orElseThrow(), EPS);
    }

    private List<AbilityReport> history(String run) {
        return queries.history(run);
    }

    private int seenChunks(String run) {
        KeyValueStore<String, byte[]> seen = driver.getKeyValueStore(AggregatorTopology.SEEN_STORE);
        int n = 0;
        try (KeyValueIterator<String, byte[]> it = seen.prefixScan(run + "/", new StringSerializer())) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void aReEvaluationReplacesTheStepsReportOnlyOnceCompleteAndNeverPoolsWithTheEarlierOne() {
        start(Map.of("aggregator.report.every.samples", "1")); // every sample reported: partial progress is visible
        String first = TestEvents.evaluationId("run-r", 1000, V1);
        String again = first + "-r1";
        send(plan("run-r", 1000, V1, Map.of(COLOURS, 2)));
        send(score("run-r", 1000, V1, COLOURS, "q1", 0.9, true));
        send(score("run-r", 1000, V1, COLOURS, "q2", 0.7, true));
        String stepKey = EventKeys.report("run-r", 1000, V1);
        assertTrue(last(reports.readKeyValuesToList(), stepKey).getComplete());

        send(of(again, plan("run-r", 1000, V1, Map.of(COLOURS, 2))));
        send(of(again, score("run-r", 1000, V1, COLOURS, "q1", 0.3, false)));
        assertTrue(reports.isEmpty(), "a re-evaluation in progress leaves the step's report alone");
        AbilityReport meanwhile = queries.reports("run-r").get(0);
        assertEquals(first, meanwhile.getEvaluationId());
        assertTrue(meanwhile.getComplete());
        assertEquals(0.8, task(meanwhile, COLOURS).getSds(), EPS);
        List<AbilityReport> both = history("run-r");
        assertEquals(List.of(first, again), both.stream().map(AbilityReport::getEvaluationId).toList());
        assertFalse(both.get(1).getComplete(), "one of two new samples: not complete, whatever the earlier had");
        assertEquals(0.5, both.get(1).getProgress(), EPS);
        assertEquals(1, task(both.get(1), COLOURS).getSamples());

        send(of(again, score("run-r", 1000, V1, COLOURS, "q2", 0.1, false)));
        AbilityReport replaced = last(reports.readKeyValuesToList(), stepKey);
        assertEquals(again, replaced.getEvaluationId());
        assertTrue(replaced.getComplete());
        assertEquals(2, task(replaced, COLOURS).getSamples(), "2 of 2, not 4 pooled");
        assertEquals(0.2, task(replaced, COLOURS).getSds(), EPS);
        assertEquals(replaced, queries.reports("run-r").get(0));
        assertEquals(0.2, queries.curves("run-r").get("perception").get(0).sds(), EPS, "the curve follows the replacement");

        send(score("run-r", 1000, V1, COLOURS, "q3", 0.9, true)); // a late, new sample of the earlier evaluation
        assertTrue(reports.isEmpty(), "the replaced evaluation never comes back as the step's report");
        assertEquals(again, queries.reports("run-r").get(0).getEvaluationId());
        assertEquals(3, task(history("run-r").get(0), COLOURS).getSamples(), "it is still kept, as history");

        goodCheckpoint("run-r", 2000);
        assertGoodCheckpointCompleted("run-r", 2000);
    }

    @Test
    void aReEvaluationCompletingFirstIsNotReplacedByTheEarlierOneCompletingLater() {
        start(Map.of());
        String again = TestEvents.evaluationId("run-o", 1000, V1) + "-r1";
        send(plan("run-o", 1000, V1, Map.of(COLOURS, 2)));
        send(score("run-o", 1000, V1, COLOURS, "q1", 0.9, true));
        send(of(again, plan("run-o", 1000, V1, Map.of(COLOURS, 2))));
        send(of(again, score("run-o", 1000, V1, COLOURS, "q1", 0.4, true)));
        send(of(again, score("run-o", 1000, V1, COLOURS, "q2", 0.2, true)));
        assertEquals(again, queries.reports("run-o").get(0).getEvaluationId(), "complete beats partial");
        send(score("run-o", 1000, V1, COLOURS, "q2", 0.7, true)); // the earlier one completes last
        AbilityReport current = queries.reports("run-o").get(0);
        assertEquals(again, current.getEvaluationId(), "the later planned of two complete evaluations stays");
        assertEquals(0.3, task(current, COLOURS).getSds(), EPS);
        assertTrue(history("run-o").get(0).getComplete());
        assertEquals(0.8, task(history("run-o").get(0), COLOURS).getSds(), EPS);

        goodCheckpoint("run-o", 2000);
        assertGoodCheckpointCompleted("run-o", 2000);
    }

    @Test
    void scoresOfAnEvaluationNeverPlannedAreHeldThenDeadLetteredAndLeaveNoRun() {
        start(Map.of("aggregator.unplanned.hold.ms", "5000"));
        send(score("ghost", 7, V1, COLOURS, "q1", 0.9, true));
        send(score("ghost", 7, V1, COLOURS, "q2", 0.9, true));
        assertTrue(reports.isEmpty());
        assertTrue(queries.runs().isEmpty(), "held, not reported");
        assertEquals(1, seenChunks("ghost"));

        later(5000);
        goodCheckpoint("run-g", 1000);
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertEquals(1, dead.size());
        DeadLetter letter = dead.get(0);
        assertEquals("unknown-evaluation", letter.getReason());
        assertEquals("ghost", letter.getRunId());
        assertEquals(7L, letter.getStep());
        assertEquals(TestEvents.evaluationId("ghost", 7, V1), letter.getEvaluationId());
        assertTrue(letter.getDetail().startsWith("2 sample score(s)"), letter.getDetail());
        assertEquals(0, seenChunks("ghost"), "its state is gone");
        assertEquals(List.of("run-g"), queries.runs());
        assertGoodCheckpointCompleted("run-g", 1000);
    }

    @Test
    void scoresWhosePlanArrivesWithinTheHoldCount() {
        start(Map.of("aggregator.unplanned.hold.ms", "5000"));
        send(score("run-h", 1000, V1, COLOURS, "g1", 0.9, true));
        later(4999);
        send(plan("run-h", 1000, V1, Map.of(COLOURS, 2, COUNTING, 2)));
        later(10_000);
        send(score("run-h", 1000, V1, COLOURS, "g2", 0.7, true));
        send(score("run-h", 1000, V1, COUNTING, "g1", 0.4, true));
        send(score("run-h", 1000, V1, COUNTING, "g2", 0.2, false));
        assertTrue(deadLetters.isEmpty());
        assertGoodCheckpointCompleted("run-h", 1000);
    }

    @Test
    void notANumberAndInfiniteScoresAreDeadLetteredAndCountNowhere() {
        start(Map.of());
        send(plan("run-n", 1000, V1, Map.of(COLOURS, 2, COUNTING, 2)));
        send(score("run-n", 1000, V1, COLOURS, "g1", Double.NaN, true));
        send(score("run-n", 1000, V1, COLOURS, "g2", Double.POSITIVE_INFINITY, true));
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertEquals(List.of("invalid-event", "invalid-event"), dead.stream().map(DeadLetter::getReason).toList());
        assertTrue(dead.get(0).getDetail().contains("NaN"), dead.get(0).getDetail());
        send(score("run-n", 1000, V1, COLOURS, "g1", 0.9, true));
        send(score("run-n", 1000, V1, COLOURS, "g2", 0.7, true));
        send(score("run-n", 1000, V1, COUNTING, "g1", 0.4, true));
        send(score("run-n", 1000, V1, COUNTING, "g2", 0.2, false));
        assertGoodCheckpointCompleted("run-n", 1000);
    }

    @Test
    void completeEvaluationsAreSealedAfterTheRetentionSoTheSeenStoreStaysBounded() {
        // One live object: every access reloads from the stores, so sealed must come from the stored state.
        start(Map.of("aggregator.seen.retention.ms", "1000", "aggregator.live.max", "1"));
        for (long step = 1; step <= 5; step++) {
            goodCheckpoint("run-s", step * 1000);
        }
        send(plan("run-s", 6000, V1, Map.of(COLOURS, 2)));
        send(score("run-s", 6000, V1, COLOURS, "q1", 0.5, true)); // in progress: keeps its ids
        assertEquals(5 * 2 + 1, seenChunks("run-s"), "one chunk per (evaluation, task) before the retention");

        later(1000);
        send(score("run-s", 6000, V1, COLOURS, "q1", 0.5, true)); // a duplicate; moves record time past the retention
        send(score("run-s", 1000, V1, COLOURS, "g1", 0.9, true)); // a duplicate after sealing
        assertEquals(1, seenChunks("run-s"), "only the evaluation in progress keeps sample ids");
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertEquals(1, dead.size());
        assertEquals("evaluation-sealed", dead.get(0).getReason());
        assertEquals(TestEvents.evaluationId("run-s", 1000, V1), dead.get(0).getEvaluationId());
        assertEquals(Topics.SAMPLE_SCORES.name(), dead.get(0).getSourceTopic());
        for (long step = 1; step <= 5; step++) {
            assertGoodCheckpointCompleted("run-s", step * 1000);
        }

        send(score("run-s", 6000, V1, COLOURS, "q1", 0.9, true)); // still deduplicated
        send(score("run-s", 6000, V1, COLOURS, "q2", 0.7, true));
        AbilityReport sixth = queries.reports("run-s").get(5);
        assertTrue(sixth.getComplete());
        assertEquals(0.6, task(sixth, COLOURS).getSds(), EPS);

        // A re-evaluation of a sealed step is a new evaluation: it counts and replaces the step's report.
        String again = TestEvents.evaluationId("run-s", 1000, V1) + "-r1";
        send(of(again, plan("run-s", 1000, V1, Map.of(COLOURS, 1))));
        send(of(again, score("run-s", 1000, V1, COLOURS, "g1", 0.25, true)));
        AbilityReport replaced = queries.reports("run-s").get(0);
        assertEquals(again, replaced.getEvaluationId());
        assertEquals(0.25, task(replaced, COLOURS).getSds(), EPS);

        goodCheckpoint("run-s", 7000);
        assertGoodCheckpointCompleted("run-s", 7000);
    }

    @Test
    void withRetentionZeroAnEvaluationIsSealedAtCompletionAndStaysSealedAfterAReload() {
        start(Map.of("aggregator.seen.retention.ms", "0", "aggregator.live.max", "1"));
        goodCheckpoint("run-z", 1000);
        assertEquals(0, seenChunks("run-z"));
        goodCheckpoint("run-z", 2000); // evicts step 1000 from the live map
        send(score("run-z", 1000, V1, COUNTING, "g3", 0.9, true)); // reloads the sealed state: rejected, not counted
        assertEquals("evaluation-sealed", deadLetters.readValue().getReason());
        assertGoodCheckpointCompleted("run-z", 1000);
        assertGoodCheckpointCompleted("run-z", 2000);
    }
}
