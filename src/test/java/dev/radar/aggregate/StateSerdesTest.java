package dev.radar.aggregate;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StateSerdesTest {
    private static final String V1 = "v1-0123456789abcdef";

    private static CheckpointState roundTrip(CheckpointState s) {
        return StateSerdes.readCheckpoint(StateSerdes.writeCheckpoint(s));
    }

    @Test
    void theStoredPartOfACheckpointStateSurvivesItsEncoding() {
        CheckpointState s = CheckpointState.of("run-ü", 1000, V1);
        s.apply(score("run-ü", 1000, V1, COLOURS, "q1", 0.75, true));
        s.apply(plan("run-ü", 1000, V1, Map.of(COLOURS, 3, COUNTING, 1)));
        s.lastEmitMs = 123_456;
        s.sinceEmit = 7;
        CheckpointState back = roundTrip(s);
        assertEquals(s.evaluationId, back.evaluationId);
        assertEquals(s.runId, back.runId);
        assertEquals(s.step, back.step);
        assertEquals(s.benchmarkVersion, back.benchmarkVersion);
        assertEquals(s.tokensSeen, back.tokensSeen);
        assertEquals(s.planned, back.planned);
        assertEquals(s.expectedTotal, back.expectedTotal);
        assertEquals(123_456, back.lastEmitMs);
        assertEquals(7, back.sinceEmit);
        assertEquals(s.tasks.keySet(), back.tasks.keySet());
        assertEquals(3, back.tasks.get(COLOURS.name()).expected);
        assertEquals("reasoning", back.tasks.get(COUNTING.name()).ability());
    }

    @Test
    void unknownTokensStayUnknownAndAChangedTaxonomyIsReEncoded() {
        CheckpointState s = CheckpointState.of("run-a", 1000, V1);
        dev.radar.events.SampleScore noTokens = score("run-a", 1000, V1, COLOURS, "q1", 0.5, true);
        noTokens.setTokensSeen(null);
        s.apply(noTokens);
        assertNull(roundTrip(s).tokensSeen);
        StateSerdes.writeCheckpoint(s); // taxonomy encoded and kept
        s.tasks.get(COLOURS.name()).taxonomy("Other", "reasoning", "counting");
        CheckpointState.TaskTally back = roundTrip(s).tasks.get(COLOURS.name());
        assertEquals("Other", back.source());
        assertEquals("reasoning", back.ability());
        assertEquals("counting", back.fineAbility());
    }

    @Test
    void runCurvesSurviveTheirEncoding() {
        RunCurves run = new RunCurves();
        run.latestVersion = V1;
        RunCurves.VersionCurve curve = run.versions.computeIfAbsent(V1, v -> new RunCurves.VersionCurve());
        curve.stagnating = true;
        curve.put(2000, new RunCurves.Checkpoint("e2", Map.of("reasoning", new CurvePoint(2000, null, "ability", 0.31, 0.4, 0.02, 40, 0.2))), 10);
        curve.put(1000, new RunCurves.Checkpoint("e1", Map.of("perception", new CurvePoint(1000, 7L, "ability", 0.25, 0.5, 0.01, 50, Double.NaN))), 10);
        curve.inFlight.add(3000L);
        run.versions.put("v0", new RunCurves.VersionCurve());

        RunCurves back = StateSerdes.readCurves(StateSerdes.writeCurves(run));
        assertEquals(V1, back.latestVersion);
        assertEquals(run.versions.keySet(), back.versions.keySet());
        RunCurves.VersionCurve c = back.versions.get(V1);
        assertEquals(true, c.stagnating);
        assertEquals(curve.points, c.points, "steps in order, evaluation ids and every point");
        assertEquals(java.util.List.of(1000L, 2000L), java.util.List.copyOf(c.points.keySet()));
        assertEquals(java.util.Set.of(3000L), c.inFlight);
        assertNull(StateSerdes.readCurves(StateSerdes.writeCurves(new RunCurves())).latestVersion);
    }
}
