package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AlertKind;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.kafka.Topics;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stagnation rule on the real topology (TopologyTestDriver) with realistic sample counts and per-sample noise:
 * the contradicting alert of issue 16 must not fire, a real plateau must, noise at small n must not; plus the
 * failed-checkpoint view fed by dead letters, and the plan's URI and attributes in reports.
 */
class StagnationTopologyTest {
    private static final String V1 = "v1-0123456789abcdef";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, SampleScore> scores;
    private TestInputTopic<String, EvaluationPlanned> plans;
    private TestInputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, AbilityAlert> alerts;
    private AbilityQueries queries;

    private void start(Map<String, String> overrides) {
        driver = TestTopology.start(stateDir, overrides);
        scores = TestTopology.input(driver, Topics.SAMPLE_SCORES);
        plans = TestTopology.input(driver, Topics.EVALUATIONS);
        deadLetters = TestTopology.input(driver, Topics.DEAD_LETTERS);
        alerts = TestTopology.output(driver, Topics.ALERTS);
        queries = new StoreQueries(driver::getKeyValueStore);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /**
     * Plans and scores one checkpoint: {@code n} perception and {@code n} reasoning samples whose SDS alternate
     * mean + spread and mean - spread, so each ability's per-sample standard deviation is about {@code spread}.
     * With {@code scored < n} only that many of each are scored: the checkpoint stays in flight.
     */
    private void checkpoint(String run, long step, int n, int scored, double perception, double reasoning, double spread) {
        checkpoint(run, step, n, scored, perception, reasoning, spread, spread);
    }

    private void checkpoint(String run, long step, int n, int scored, double perception, double reasoning,
                            double perceptionSpread, double reasoningSpread) {
        EvaluationPlanned p = plan(run, step, V1, Map.of(COLOURS, n, COUNTING, n));
        plans.pipeInput(EventKeys.checkpoint(run, step), p);
        for (int i = 0; i < scored; i++) {
            double sign = i % 2 == 0 ? 1 : -1;
            send(score(run, step, V1, COLOURS, "c" + i, perception + sign * perceptionSpread, true));
            send(score(run, step, V1, COUNTING, "r" + i, reasoning + sign * reasoningSpread, i % 3 == 0));
        }
    }

    private void checkpoint(String run, long step, int n, double perception, double reasoning, double spread) {
        checkpoint(run, step, n, n, perception, reasoning, spread);
    }

    private void send(SampleScore s) {
        scores.pipeInput(EventKeys.checkpoint(s.getRunId(), s.getStep()), s);
    }

    @Test
    void contradictingExampleFromTheIssueDoesNotFire() {
        // Issue 16: "reasoning stagnates ... gain 0.0631 < threshold 0.0632 while perception gains 0.0458": reasoning
        // gained more than perception, but its noise made the old threshold (max(m, 2 se)) higher than its gain.
        start(Map.of("aggregator.stagnation.min.samples", "1"));
        for (int i = 0; i < 5; i++) {
            // Reasoning noisy (sd 0.2), perception steady (sd 0.04), 64 samples each.
            checkpoint("run-c", (i + 1) * 100L, 64, 64, 0.30 + 0.0458 * i / 4, 0.25 + 0.0631 * i / 4, 0.04, 0.20);
        }
        List<CurvePoint> r = queries.curves("run-c").get("reasoning");
        List<CurvePoint> p = queries.curves("run-c").get("perception");
        List<Long> steps = r.stream().map(CurvePoint::step).toList();
        StagnationDetector.Fit fr = StagnationDetector.fit(steps, r);
        StagnationDetector.Fit fp = StagnationDetector.fit(steps, p);
        assertEquals(0.0631, fr.gain(), 1e-9);
        assertEquals(0.0458, fp.gain(), 1e-9);
        assertTrue(fr.gain() < 2 * fr.seGain() && fp.gain() >= 2 * fp.seGain(),
                "the old rule would fire here: gain " + fr.gain() + " < 2 se " + 2 * fr.seGain());
        assertTrue(alerts.isEmpty(), "reasoning gained more than perception: no stagnation");
        assertTrue(queries.alerts("run-c").isEmpty());
    }

    @Test
    void realPlateauFiresWithItsEvidence() {
        start(Map.of());
        // 400 samples per ability per checkpoint (default floor 100), per-sample sd 0.05: se 0.0025 per point.
        double[] perception = {0.30, 0.325, 0.35, 0.375, 0.40};
        for (int i = 0; i < 5; i++) {
            checkpoint("run-p", (i + 1) * 1000L, 400, perception[i], 0.31, 0.05);
        }
        AbilityAlert a = alerts.readValue();
        assertEquals(AlertKind.STAGNATION, a.getKind());
        assertEquals(List.of(1000L, 2000L, 3000L, 4000L, 5000L), a.getSteps());
        assertEquals(0.0, a.getGain(), 1e-9);
        assertEquals(0.10, a.getPerceptionGain(), 1e-9);
        assertEquals(400, a.getMinSamples());
        assertEquals(2.0, a.getStderrFactor());
        // se(gain) = span sqrt(sum dx^2 se^2) / sum dx^2 = 4000 * se / sqrt(10e6) with se = sd(sample) / sqrt(400)
        double se = 0.05 * Math.sqrt(400.0 / 399) / Math.sqrt(400);
        assertEquals(4000 * se / Math.sqrt(10e6), a.getGainStderr(), 1e-6);
        assertTrue(a.getGain() + 2 * a.getGainStderr() < 0.01, "upper bound below the floor");
        assertTrue(a.getMessage().contains("upper bound"), a.getMessage());
        assertTrue(alerts.isEmpty(), "one alert per state change");
    }

    @Test
    void noiseAtSmallSampleCountsDoesNotFire() {
        // The demo's numbers: 32 samples per ability, reasoning 0.242 -> 0.310 with per-sample sd around 0.15.
        // Even with the sample floor lowered to 1, the upper bound of the reasoning gain is far above the floor.
        start(Map.of("aggregator.stagnation.min.samples", "1"));
        double[] reasoning = {0.242, 0.309, 0.310, 0.304, 0.310};
        double[] perception = {0.245, 0.269, 0.312, 0.358, 0.355};
        long[] steps = {0, 75, 150, 300, 450};
        for (int i = 0; i < 5; i++) {
            checkpoint("run-n", steps[i], 32, perception[i], reasoning[i], 0.15);
        }
        assertTrue(alerts.isEmpty());
        assertEquals(5, queries.curves("run-n").get("reasoning").size());
    }

    @Test
    void sampleFloorHoldsTheVerdictBack() {
        start(Map.of("aggregator.stagnation.min.samples", "401"));
        for (int i = 0; i < 5; i++) {
            checkpoint("run-f", (i + 1) * 1000L, 400, 0.30 + 0.025 * i, 0.31, 0.05);
        }
        assertTrue(alerts.isEmpty(), "the same plateau as realPlateauFires, 400 < 401 samples: no verdict");
    }

    @Test
    void aWindowNeverSpansAStepStillBeingScored() {
        start(Map.of());
        checkpoint("run-w", 4000, 400, 100, 0.36, 0.31, 0.05); // planned, a quarter scored
        long[] steps = {1000, 2000, 3000, 5000, 6000, 7000};
        for (int i = 0; i < steps.length; i++) {
            checkpoint("run-w", steps[i], 400, 0.30 + 0.025 * i, 0.31, 0.05);
        }
        assertTrue(alerts.isEmpty(), "every window of 5 complete steps spans 4000, still being scored");
        for (int i = 100; i < 400; i++) {
            double d = i % 2 == 0 ? 0.05 : -0.05;
            send(score("run-w", 4000, V1, COLOURS, "c" + i, 0.36 + d, true));
            send(score("run-w", 4000, V1, COUNTING, "r" + i, 0.31 + d, true));
        }
        AbilityAlert a = alerts.readValue();
        assertEquals(List.of(3000L, 4000L, 5000L, 6000L, 7000L), a.getSteps());
    }

    @Test
    void deadLettersOfARunShowAsFailedCheckpointsUntilTheStepCompletes() {
        start(Map.of());
        checkpoint("run-d", 1000, 4, 0.5, 0.4, 0.01);
        DeadLetter letter = DeadLetter.newBuilder().setComponent("planner").setSourceTopic(Topics.CHECKPOINTS.name())
                .setReason("checkpoint-not-loadable").setDetail("missing radar-model.json in /ckpt/run-d/2000")
                .setRunId("run-d").setStep(2000L).setValue(java.nio.ByteBuffer.wrap(new byte[]{1, 2, 3})).build();
        deadLetters.pipeInput("run-d/2000", letter);
        deadLetters.pipeInput("x", DeadLetter.newBuilder(letter).setRunId(null).setStep(null).build()); // names no run
        deadLetters.pipeInput("run-only", DeadLetter.newBuilder(letter).setRunId("run-only").setStep(null)
                .setComponent("watcher").setReason("no-step").setDetail("folder name has no step").build());

        List<DeadLetter> failed = queries.failures("run-d");
        assertEquals(1, failed.size());
        assertEquals(2000L, failed.get(0).getStep());
        assertEquals("checkpoint-not-loadable", failed.get(0).getReason());
        assertEquals("missing radar-model.json in /ckpt/run-d/2000", failed.get(0).getDetail());
        assertEquals(null, failed.get(0).getValue(), "raw bytes stay on the topic, not in the store");
        assertEquals(List.of("run-d", "run-only"), queries.runs(), "a run with only a failure is listed");
        assertEquals("no-step", queries.failures("run-only").get(0).getReason());

        deadLetters.pipeInput("run-d/2000", letter); // the same failure again: still one entry
        assertEquals(1, queries.failures("run-d").size());
        checkpoint("run-d", 2000, 4, 0.5, 0.4, 0.01); // re-published after a fix, evaluated
        assertTrue(queries.failures("run-d").isEmpty(), "a step that completed is no longer failed");
    }

    @Test
    void reportsCarryThePlansCheckpointUriAndAttributes() {
        start(Map.of());
        EvaluationPlanned p = plan("run-u", 1000, V1, Map.of(COLOURS, 1, COUNTING, 1));
        p.setAttributes(Map.of("data_mix", "web70", "lr", "3e-4"));
        plans.pipeInput("run-u/1000", p);
        send(score("run-u", 1000, V1, COLOURS, "c", 0.5, true));
        send(score("run-u", 1000, V1, COUNTING, "r", 0.4, true));
        AbilityReport r = queries.latestComplete("run-u").orElseThrow();
        assertEquals("file:///ckpt/run-u/1000", r.getCheckpointUri());
        assertEquals(Map.of("data_mix", "web70", "lr", "3e-4"), Map.copyOf(r.getAttributes()));
        assertEquals(java.util.Optional.of(V1), queries.curvesVersion("run-u"));
        assertEquals("ability", queries.curves("run-u").get("reasoning").get(0).level());
        assertEquals(1, queries.curves("run-u").get("reasoning").get(0).samples());
        // Chance levels from the plan's tasks: colours 1/4, counting 1/5 (TestEvents.CHANCE).
        assertEquals(0.25, r.getAbilities().stream().filter(a -> a.getName().equals("perception")).findFirst().orElseThrow().getChance());
        assertEquals(0.2, r.getAbilities().stream().filter(a -> a.getName().equals("reasoning")).findFirst().orElseThrow().getChance());
        assertEquals(0.2, r.getTasks().stream().filter(a -> a.getName().equals(COUNTING.name())).findFirst().orElseThrow().getChance());
    }
}
