package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.AlertKind;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.kafka.Topics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.SHAPES;
import static dev.radar.aggregate.TestEvents.SPATIAL;
import static dev.radar.aggregate.TestEvents.failed;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every aggregation rule on the real topology, driven by TopologyTestDriver. */
class AggregatorTopologyTest {
    private static final String V1 = "v1-0123456789abcdef";
    private static final String V2 = "v2-fedcba9876543210";
    private static final double EPS = 1e-9;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, SampleScore> scores;
    private TestInputTopic<String, EvaluationPlanned> plans;
    private TestInputTopic<byte[], byte[]> rawScores;
    private TestInputTopic<byte[], byte[]> rawPlans;
    private TestOutputTopic<String, AbilityReport> reports;
    private TestOutputTopic<String, AbilityAlert> alerts;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private AbilityQueries queries;

    /** Starts the driver with {@code overrides} on top of test defaults (no time-based partial reports). */
    private void start(Map<String, String> overrides) {
        driver = TestTopology.start(stateDir, overrides);
        scores = TestTopology.input(driver, Topics.SAMPLE_SCORES);
        plans = TestTopology.input(driver, Topics.EVALUATIONS);
        rawScores = driver.createInputTopic(Topics.SAMPLE_SCORES.name(), new ByteArraySerializer(), new ByteArraySerializer());
        rawPlans = driver.createInputTopic(Topics.EVALUATIONS.name(), new ByteArraySerializer(), new ByteArraySerializer());
        reports = TestTopology.output(driver, Topics.ABILITY_REPORTS);
        alerts = TestTopology.output(driver, Topics.ALERTS);
        deadLetters = TestTopology.output(driver, Topics.DEAD_LETTERS);
        queries = new StoreQueries(driver::getKeyValueStore);
    }

    private void start() {
        start(Map.of());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(SampleScore s) {
        scores.pipeInput(EventKeys.checkpoint(s.getRunId(), s.getStep()), s);
    }

    private void send(EvaluationPlanned p) {
        plans.pipeInput(EventKeys.checkpoint(p.getRunId(), p.getStep()), p);
    }

    private static AbilityScore find(List<AbilityScore> scores, String level, String name) {
        return scores.stream().filter(s -> s.getLevel().equals(level) && s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + level + " " + name + " in " + scores));
    }

    private static AbilityReport last(List<KeyValue<String, AbilityReport>> out, String key) {
        return TestTopology.last(out, key);
    }

    /** One checkpoint with 4 perception and 4 reasoning samples around the given means (tiny spread, small stderr). */
    private void checkpoint(String run, long step, double perception, double reasoning) {
        send(plan(run, step, V1, Map.of(COLOURS, 4, COUNTING, 4)));
        double[] spread = {-0.001, 0.001, -0.001, 0.001};
        for (int i = 0; i < 4; i++) {
            send(score(run, step, V1, COLOURS, "c" + i, perception + spread[i], true));
            send(score(run, step, V1, COUNTING, "n" + i, reasoning + spread[i], i % 2 == 0));
        }
    }

    @Test
    void completeCheckpointReportsTaskAbilityAndFineScoresWithStandardErrorAndGap() {
        start();
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 2, SHAPES, 2, COUNTING, 2, SPATIAL, 2)));
        send(score("run-a", 1000, V1, COLOURS, "q1", 0.9, true));
        send(score("run-a", 1000, V1, COLOURS, "q2", 0.7, true));
        send(score("run-a", 1000, V1, SHAPES, "q1", 0.6, true));
        send(score("run-a", 1000, V1, SHAPES, "q2", 0.4, false));
        send(score("run-a", 1000, V1, COUNTING, "q1", 0.3, false));
        send(score("run-a", 1000, V1, COUNTING, "q2", 0.5, true));
        send(score("run-a", 1000, V1, SPATIAL, "q1", 0.2, false));
        send(score("run-a", 1000, V1, SPATIAL, "q2", 0.2, false));

        AbilityReport r = last(reports.readKeyValuesToList(), EventKeys.report("run-a", 1000, V1));
        assertTrue(r.getComplete());
        assertEquals(1.0, r.getProgress(), EPS);
        assertEquals(1_000_000_000L, r.getTokensSeen());
        AbilityScore colours = find(r.getTasks(), "task", COLOURS.name());
        assertEquals(0.8, colours.getSds(), EPS);
        assertEquals(1.0, colours.getAccuracy(), EPS);
        // sd of {0.9, 0.7} = 0.1414..., se = sd / sqrt(2) = 0.1
        assertEquals(0.1, colours.getStderr(), 1e-12);
        AbilityScore perception = find(r.getAbilities(), "ability", "perception");
        assertEquals((0.8 + 0.5) / 2, perception.getSds(), EPS); // macro over tasks
        assertEquals((1.0 + 0.5) / 2, perception.getAccuracy(), EPS);
        assertEquals(Math.sqrt(0.1 * 0.1 + 0.1 * 0.1) / 2, perception.getStderr(), 1e-12);
        assertEquals(4, perception.getSamples());
        assertEquals(4, perception.getExpectedSamples());
        AbilityScore reasoning = find(r.getAbilities(), "ability", "reasoning");
        assertEquals((0.4 + 0.2) / 2, reasoning.getSds(), EPS);
        assertEquals(0.8, find(r.getAbilities(), "fine", "identification").getSds(), EPS); // fine: only its own tasks
        assertEquals(0.2, find(r.getAbilities(), "fine", "spatial_reasoning").getSds(), EPS);
        assertEquals(0.65 - 0.3, r.getPerceptionReasoningGap(), EPS);
    }

    @Test
    void duplicateAndLateRedeliveredScoresNeverDoubleCount() {
        start();
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 2)));
        SampleScore q1 = score("run-a", 1000, V1, COLOURS, "q1", 0.9, true);
        send(q1);
        send(q1);
        send(score("run-a", 1000, V1, COLOURS, "q2", 0.5, false));
        send(q1); // late, after completion
        List<KeyValue<String, AbilityReport>> out = reports.readKeyValuesToList();
        AbilityReport r = last(out, EventKeys.report("run-a", 1000, V1));
        assertTrue(r.getComplete());
        AbilityScore colours = find(r.getTasks(), "task", COLOURS.name());
        assertEquals(2, colours.getSamples());
        assertEquals(0.7, colours.getSds(), EPS);
        assertEquals(1, out.stream().filter(kv -> kv.value.getComplete()).count(), "a duplicate re-emits nothing");
    }

    @Test
    void dedupeHoldsAcrossChunksAndAfterACheckpointWasReloadedFromTheStores() {
        // One live object at a time: every switch between the two checkpoints reloads state and seen ids from the stores.
        start(Map.of("aggregator.live.max", "1"));
        int n = 3 * SeenSamples.CHUNK + 5;
        send(plan("run-a", 1000, V1, Map.of(COLOURS, n)));
        send(plan("run-a", 2000, V1, Map.of(COLOURS, 1)));
        for (int i = 0; i < n - 10; i++) {
            send(score("run-a", 1000, V1, COLOURS, "q" + i, 0.5, true));
        }
        send(score("run-a", 2000, V1, COLOURS, "q0", 0.1, false)); // evicts step 1000
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                // Redelivered ones carry another SDS: counted twice, they would move the mean.
                send(score("run-a", 1000, V1, COLOURS, "q" + i, i < n - 10 ? 0.9 : 0.5, true));
                if (i % 50 == 0) {
                    send(score("run-a", 2000, V1, COLOURS, "q0", 0.9, true)); // a duplicate that still evicts step 1000
                }
            }
        }
        List<KeyValue<String, AbilityReport>> out = reports.readKeyValuesToList();
        AbilityReport r = last(out, EventKeys.report("run-a", 1000, V1));
        assertTrue(r.getComplete());
        AbilityScore colours = find(r.getTasks(), "task", COLOURS.name());
        assertEquals(n, colours.getSamples());
        assertEquals(0.5, colours.getSds(), EPS);
        assertEquals(0.1, find(last(out, EventKeys.report("run-a", 2000, V1)).getTasks(), "task", COLOURS.name()).getSds(), EPS);
        assertEquals(1, out.stream().filter(kv -> kv.key.equals(EventKeys.report("run-a", 1000, V1)) && kv.value.getComplete()).count());
    }

    @Test
    void partialReportsCarryProgressAndAreRateLimitedUntilTheCompleteOne() {
        start(Map.of("aggregator.report.interval.ms", "1000"));
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 5, COUNTING, 5)));
        assertEquals(0.0, reports.readValue().getProgress(), EPS); // the plan itself is reported at once
        for (int i = 0; i < 3; i++) {
            send(score("run-a", 1000, V1, COLOURS, "q" + i, 0.6, true));
        }
        assertTrue(reports.isEmpty(), "held back by the 1 s rate limit");
        driver.advanceWallClockTime(Duration.ofMillis(1000));
        AbilityReport partial = reports.readValue();
        assertFalse(partial.getComplete());
        assertEquals(0.3, partial.getProgress(), EPS);
        assertEquals(3, find(partial.getAbilities(), "ability", "perception").getSamples());

        for (int i = 3; i < 5; i++) {
            send(score("run-a", 1000, V1, COLOURS, "q" + i, 0.6, true));
        }
        for (int i = 0; i < 4; i++) {
            send(score("run-a", 1000, V1, COUNTING, "q" + i, 0.4, true));
        }
        assertTrue(reports.isEmpty());
        send(score("run-a", 1000, V1, COUNTING, "q4", 0.4, true));
        AbilityReport complete = reports.readValue();
        assertTrue(complete.getComplete(), "the complete report ignores the rate limit");
        assertEquals(1.0, complete.getProgress(), EPS);
        assertTrue(reports.isEmpty());
        driver.advanceWallClockTime(Duration.ofMillis(5000));
        assertTrue(reports.isEmpty(), "nothing left unreported");
    }

    @Test
    void partialReportsEveryKSamples() {
        start(Map.of("aggregator.report.every.samples", "2"));
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 5)));
        reports.readValue();
        for (int i = 0; i < 4; i++) {
            send(score("run-a", 1000, V1, COLOURS, "q" + i, 0.6, true));
        }
        List<AbilityReport> out = reports.readValuesToList();
        assertEquals(List.of(0.4, 0.8), out.stream().map(AbilityReport::getProgress).toList());
    }

    @Test
    void scoresBeforeThePlanCountButNothingIsReportedUntilItArrives() {
        start();
        send(score("run-a", 2000, V1, COLOURS, "q1", 0.8, true));
        send(score("run-a", 2000, V1, COLOURS, "q2", 0.6, true));
        assertTrue(reports.isEmpty(), "held until the plan: an evaluation never planned must leave no run behind");
        assertTrue(queries.runs().isEmpty());

        send(plan("run-a", 2000, V1, Map.of(COLOURS, 2)));
        AbilityReport r = last(reports.readKeyValuesToList(), EventKeys.report("run-a", 2000, V1));
        assertTrue(r.getComplete(), "all expected samples were already there");
        assertEquals(0.7, find(r.getAbilities(), "ability", "perception").getSds(), EPS);
        assertEquals(2, find(r.getAbilities(), "ability", "perception").getExpectedSamples());
    }

    @Test
    void twoRunsSideBySideStayApart() {
        start();
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 2)));
        send(plan("run-b", 1000, V1, Map.of(COLOURS, 2)));
        send(score("run-a", 1000, V1, COLOURS, "q1", 0.9, true));
        send(score("run-b", 1000, V1, COLOURS, "q1", 0.1, false));
        send(score("run-a", 1000, V1, COLOURS, "q2", 0.7, true));
        send(score("run-b", 1000, V1, COLOURS, "q2", 0.3, false));
        List<KeyValue<String, AbilityReport>> out = reports.readKeyValuesToList();
        AbilityReport a = last(out, EventKeys.report("run-a", 1000, V1));
        AbilityReport b = last(out, EventKeys.report("run-b", 1000, V1));
        assertTrue(a.getComplete() && b.getComplete());
        assertEquals(0.8, find(a.getAbilities(), "ability", "perception").getSds(), EPS);
        assertEquals(0.2, find(b.getAbilities(), "ability", "perception").getSds(), EPS);
        assertEquals(List.of("run-a", "run-b"), queries.runs());
    }

    @Test
    void twoBenchmarkVersionsNeverMix() {
        start();
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 2)));
        send(plan("run-a", 1000, V2, Map.of(COLOURS, 1)));
        send(score("run-a", 1000, V1, COLOURS, "q1", 0.9, true));
        send(score("run-a", 1000, V2, COLOURS, "q1", 0.1, false));
        send(score("run-a", 1000, V1, COLOURS, "q2", 0.7, true));
        List<KeyValue<String, AbilityReport>> out = reports.readKeyValuesToList();
        AbilityReport r1 = last(out, EventKeys.report("run-a", 1000, V1));
        AbilityReport r2 = last(out, EventKeys.report("run-a", 1000, V2));
        assertEquals(0.8, find(r1.getTasks(), "task", COLOURS.name()).getSds(), EPS);
        assertEquals(2, find(r1.getTasks(), "task", COLOURS.name()).getSamples());
        assertEquals(0.1, find(r2.getTasks(), "task", COLOURS.name()).getSds(), EPS);
        assertEquals(1, find(r2.getTasks(), "task", COLOURS.name()).getSamples());
        assertEquals(2, queries.reports("run-a").size());
    }

    @Test
    void failedSamplesCompleteTheCheckpointButStayOutOfTheMeans() {
        start();
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 3, COUNTING, 1)));
        send(score("run-a", 1000, V1, COLOURS, "q1", 0.9, true));
        send(failed("run-a", 1000, V1, COLOURS, "q2"));
        send(score("run-a", 1000, V1, COLOURS, "q3", 0.5, false));
        send(failed("run-a", 1000, V1, COUNTING, "q1"));
        AbilityReport r = last(reports.readKeyValuesToList(), EventKeys.report("run-a", 1000, V1));
        assertTrue(r.getComplete());
        AbilityScore colours = find(r.getTasks(), "task", COLOURS.name());
        assertEquals(0.7, colours.getSds(), EPS);
        assertEquals(0.5, colours.getAccuracy(), EPS);
        assertEquals(2, colours.getSamples());
        assertEquals(1, colours.getFailed());
        // A task with only failed samples has no score yet, so reasoning (its only task) is absent and there is no gap.
        assertTrue(r.getAbilities().stream().noneMatch(a -> a.getName().equals("reasoning")));
        assertNull(r.getPerceptionReasoningGap());
    }

    @Test
    void curvesAreOrderedByStepWhateverTheArrivalOrder() {
        start();
        checkpoint("run-a", 3000, 0.7, 0.5);
        checkpoint("run-a", 1000, 0.5, 0.3);
        checkpoint("run-a", 2000, 0.6, 0.4); // backfilled between the two
        Map<String, List<CurvePoint>> curves = queries.curves("run-a");
        assertEquals(List.of(1000L, 2000L, 3000L), curves.get("reasoning").stream().map(CurvePoint::step).toList());
        assertEquals(List.of(0.3, 0.4, 0.5), curves.get("reasoning").stream().map(p -> Math.round(p.sds() * 1000) / 1000.0).toList());
        assertEquals(3, curves.get("perception").size());
        assertEquals(2_000_000_000L, curves.get("perception").get(1).tokensSeen());
        assertTrue(curves.containsKey("spatial_reasoning") || curves.containsKey("mathematical_reasoning"));
        assertEquals(3000, queries.latestComplete("run-a").orElseThrow().getStep());
    }

    @Test
    void stagnationFiresOnceAndRecoveryClearsIt() {
        // 4 samples per ability, nearly identical: tiny standard errors, so the statistics decide, not the sample floor.
        start(Map.of("aggregator.stagnation.min.samples", "4"));
        double[] perception = {0.50, 0.55, 0.60, 0.65, 0.70, 0.75};
        double[] reasoning = {0.40, 0.401, 0.40, 0.401, 0.40, 0.40};
        for (int i = 0; i < 4; i++) {
            checkpoint("run-a", (i + 1) * 1000L, perception[i], reasoning[i]);
        }
        assertTrue(alerts.isEmpty(), "fewer than 5 completed checkpoints: no verdict");
        checkpoint("run-a", 5000, perception[4], reasoning[4]);
        AbilityAlert stagnation = alerts.readValue();
        assertEquals(AlertKind.STAGNATION, stagnation.getKind());
        assertEquals("reasoning", stagnation.getAbility());
        assertEquals(List.of(1000L, 2000L, 3000L, 4000L, 5000L), stagnation.getSteps());
        assertEquals(5000, stagnation.getStep());
        assertEquals(5, stagnation.getValues().size());
        assertTrue(stagnation.getGain() + 2 * stagnation.getGainStderr() < stagnation.getThreshold());
        assertEquals(0.01, stagnation.getThreshold(), EPS);
        assertEquals(4, stagnation.getMinSamples());
        assertEquals(0.2, stagnation.getPerceptionGain(), 1e-6);
        assertEquals(stagnation.getGain(), stagnation.getSlope() / 1000 * 4000, 1e-12);
        assertTrue(stagnation.getMessage().contains("stagnates"));

        checkpoint("run-a", 6000, perception[5], reasoning[5]);
        assertTrue(alerts.isEmpty(), "still stagnating: no repeated alert");

        checkpoint("run-a", 7000, 0.80, 0.55);
        AbilityAlert recovery = alerts.readValue();
        assertEquals(AlertKind.RECOVERY, recovery.getKind());
        assertTrue(recovery.getGain() >= recovery.getThreshold());
        assertEquals(List.of(3000L, 4000L, 5000L, 6000L, 7000L), recovery.getSteps());
        assertEquals(List.of(AlertKind.STAGNATION, AlertKind.RECOVERY),
                queries.alerts("run-a").stream().map(AbilityAlert::getKind).toList());
    }

    @Test
    void noStagnationWhenPerceptionIsFlatTooOrTheNoiseHidesItsGain() {
        start(Map.of("aggregator.stagnation.min.samples", "4"));
        for (int i = 0; i < 6; i++) {
            checkpoint("run-flat", (i + 1) * 1000L, 0.60, 0.40);
        }
        // Perception "gains" 0.02 but each point's standard error is about 0.1: not evidence of improvement.
        for (int i = 0; i < 6; i++) {
            long step = (i + 1) * 1000L;
            send(plan("run-noisy", step, V1, Map.of(COLOURS, 4, COUNTING, 4)));
            double[] wide = {-0.2, 0.2, -0.2, 0.2};
            for (int j = 0; j < 4; j++) {
                send(score("run-noisy", step, V1, COLOURS, "c" + j, 0.5 + 0.004 * i + wide[j], true));
                send(score("run-noisy", step, V1, COUNTING, "n" + j, 0.4, true));
            }
        }
        assertTrue(alerts.isEmpty());
        assertTrue(queries.alerts("run-flat").isEmpty());
    }

    @Test
    void perceptionReasoningGapFollowsTheAbilityMeans() {
        start();
        checkpoint("run-a", 1000, 0.72, 0.41);
        AbilityReport r = queries.latestComplete("run-a").orElseThrow();
        assertEquals(0.31, r.getPerceptionReasoningGap(), 1e-9);
    }

    @Test
    void garbageBytesAreDeadLetteredAndTheAppKeepsGoing() {
        start();
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        rawScores.pipeInput("run-a/1000".getBytes(StandardCharsets.UTF_8), garbage);
        rawPlans.pipeInput(null, new byte[]{(byte) 0xC3, 0x01, 1, 2, 3});
        send(score("run-a", 1000, V1, COLOURS, "q1", 1.5, true)); // decodes, but an SDS is a probability
        send(plan("run-a", 1000, V1, Map.of(COLOURS, 1)));
        send(score("run-a", 1000, V1, COLOURS, "q1", 0.5, true));

        List<KeyValue<String, DeadLetter>> dead = deadLetters.readKeyValuesToList();
        assertEquals(3, dead.size());
        DeadLetter first = dead.get(0).value;
        assertEquals("run-a/1000", dead.get(0).key);
        assertEquals("aggregator", first.getComponent());
        assertEquals(Topics.SAMPLE_SCORES.name(), first.getSourceTopic());
        assertEquals(0, first.getPartition());
        assertEquals(0, first.getOffset());
        assertEquals("undecodable-event", first.getReason());
        assertArrayEquals(garbage, bytes(first.getValue()));
        assertEquals(Topics.EVALUATIONS.name(), dead.get(1).value.getSourceTopic());
        assertEquals("invalid-event", dead.get(2).value.getReason());
        assertEquals(1, dead.get(2).value.getOffset());

        assertTrue(queries.latestComplete("run-a").orElseThrow().getComplete(), "valid events still aggregate");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void reportsQueryListsEveryStepOfTheRunInStepOrder() {
        start();
        checkpoint("run-a", 2000, 0.6, 0.4);
        checkpoint("run-a", 1000, 0.5, 0.3);
        checkpoint("run-a/x", 1000, 0.5, 0.3); // a run id extending another must not leak into it
        send(plan("run-a", 3000, V1, Map.of(COLOURS, 4)));
        List<AbilityReport> list = queries.reports("run-a");
        assertEquals(List.of(1000L, 2000L, 3000L), list.stream().map(AbilityReport::getStep).toList());
        assertFalse(list.get(2).getComplete());
        assertEquals(2000, queries.latestComplete("run-a").orElseThrow().getStep());
        assertEquals(List.of("run-a", "run-a/x"), queries.runs());
        assertTrue(queries.curves("nobody").isEmpty());
        assertTrue(queries.latestComplete("nobody").isEmpty());
        assertTrue(queries.reports("nobody").isEmpty());
    }
}
