package dev.radar.aggregate;

import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.TaskExpectation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders of plans and scores for aggregator tests. */
final class TestEvents {
    private TestEvents() {
    }

    /** A task of the synthetic taxonomy: name, source, ability, fine ability. */
    record Task(String name, String source, String ability, String fine) {
    }

    static final Task COLOURS = new Task("Wiki_colour_identification", "Wiki", "perception", "identification");
    static final Task SHAPES = new Task("MMBench_shape", "MMBench", "perception", "coarse_perception");
    static final Task COUNTING = new Task("MathVista_counting", "MathVista", "reasoning", "mathematical_reasoning");
    static final Task SPATIAL = new Task("Spatial_position", "Spatial", "reasoning", "spatial_reasoning");

    /** Chance level of each test task: 4 candidates, except counting with 5. */
    static final Map<Task, Double> CHANCE = Map.of(COLOURS, 0.25, SHAPES, 0.25, COUNTING, 0.2, SPATIAL, 0.25);

    static String evaluationId(String run, long step, String version) {
        return EventKeys.evaluationId(run, step, version);
    }

    static EvaluationPlanned plan(String run, long step, String version, Map<Task, Integer> expected) {
        List<TaskExpectation> tasks = new ArrayList<>();
        Map<String, Integer> byAbility = new LinkedHashMap<>();
        int total = 0;
        for (Map.Entry<Task, Integer> e : expected.entrySet()) {
            Task t = e.getKey();
            tasks.add(TaskExpectation.newBuilder().setTask(t.name()).setSource(t.source()).setAbility(t.ability())
                    .setFineAbility(t.fine()).setExpectedSamples(e.getValue()).setChance(CHANCE.get(t)).build());
            byAbility.merge(t.ability(), e.getValue(), Integer::sum);
            total += e.getValue();
        }
        return EvaluationPlanned.newBuilder()
                .setEvaluationId(evaluationId(run, step, version)).setRunId(run).setStep(step)
                .setTokensSeen(step * 1_000_000L).setCheckpointUri("file:///ckpt/" + run + "/" + step)
                .setBenchmark("m3-bench").setBenchmarkVersion(version).setShardCount(1)
                .setExpectedSamples(total).setTasks(tasks).setExpectedByAbility(byAbility).build();
    }

    static SampleScore score(String run, long step, String version, Task task, String sampleId, double sds, boolean correct) {
        return SampleScore.newBuilder()
                .setEvaluationId(evaluationId(run, step, version)).setRunId(run).setStep(step)
                .setTokensSeen(step * 1_000_000L).setBenchmarkVersion(version).setTask(task.name())
                .setSource(task.source()).setAbility(task.ability()).setFineAbility(task.fine())
                .setSampleId(sampleId).setSds(sds).setCorrect(correct).build();
    }

    static SampleScore failed(String run, long step, String version, Task task, String sampleId) {
        SampleScore s = score(run, step, version, task, sampleId, 0.0, false);
        s.setFailure("image-unreadable");
        return s;
    }
}
