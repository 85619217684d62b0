package dev.radar.web;

import dev.radar.aggregate.CurvePoint;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.DeadLetter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The API's JSON shapes: plain maps built from the Avro records, so the wire format is explicit and stable. */
final class ApiJson {
    private ApiJson() {
    }

    /** A report; {@code withTasks} false leaves the per-task list out (the page's run overview). */
    static Map<String, Object> report(AbilityReport r, boolean withTasks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.getRunId());
        m.put("step", r.getStep());
        m.put("tokensSeen", r.getTokensSeen());
        m.put("evaluationId", r.getEvaluationId());
        m.put("benchmarkVersion", r.getBenchmarkVersion());
        m.put("status", r.getComplete() ? "complete" : "partial");
        m.put("complete", r.getComplete());
        m.put("progress", r.getProgress());
        m.put("checkpointUri", r.getCheckpointUri());
        m.put("attributes", new TreeMap<>(r.getAttributes()));
        m.put("perceptionReasoningGap", r.getPerceptionReasoningGap());
        m.put("abilities", r.getAbilities().stream().map(ApiJson::score).toList());
        if (withTasks) {
            m.put("tasks", r.getTasks().stream().map(ApiJson::score).toList());
        }
        m.put("updatedAtMs", r.getUpdatedAtMs());
        return m;
    }

    static Map<String, Object> score(AbilityScore s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.getName());
        m.put("level", s.getLevel());
        m.put("sds", finite(s.getSds()));
        m.put("accuracy", finite(s.getAccuracy()));
        m.put("stderr", finite(s.getStderr()));
        m.put("samples", s.getSamples());
        m.put("expectedSamples", s.getExpectedSamples());
        m.put("failed", s.getFailed());
        m.put("chance", s.getChance());
        return m;
    }

    static Map<String, Object> alert(AbilityAlert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", a.getRunId());
        m.put("kind", a.getKind().name());
        m.put("ability", a.getAbility());
        m.put("step", a.getStep());
        m.put("steps", a.getSteps());
        m.put("values", a.getValues());
        m.put("slope", finite(a.getSlope()));
        m.put("gain", finite(a.getGain()));
        m.put("threshold", finite(a.getThreshold()));
        m.put("perceptionGain", a.getPerceptionGain());
        m.put("gainStderr", finite(a.getGainStderr()));
        m.put("perceptionGainStderr", a.getPerceptionGainStderr());
        m.put("stderrFactor", a.getStderrFactor());
        m.put("minSamples", a.getMinSamples());
        m.put("message", a.getMessage());
        m.put("firedAtMs", a.getFiredAtMs());
        return m;
    }

    /** Ability name to its points by step; every point names its level and benchmark version (flat rows for tables). */
    static Map<String, Object> curves(Map<String, List<CurvePoint>> curves, String benchmarkVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        curves.forEach((ability, points) -> m.put(ability, points.stream().map(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("step", p.step());
            pm.put("tokensSeen", p.tokensSeen());
            pm.put("level", p.level());
            pm.put("benchmarkVersion", benchmarkVersion);
            pm.put("sds", finite(p.sds()));
            pm.put("accuracy", finite(p.accuracy()));
            pm.put("stderr", finite(p.stderr()));
            pm.put("samples", p.samples() < 0 ? null : p.samples());
            pm.put("chance", finite(p.chance()));
            return pm;
        }).toList()));
        return m;
    }

    /** A failed checkpoint (dead letter naming the run); step null when the failure names no step. */
    static Map<String, Object> failure(DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", d.getRunId());
        m.put("step", d.getStep());
        m.put("component", d.getComponent());
        m.put("reason", d.getReason());
        m.put("detail", d.getDetail());
        m.put("sourceTopic", d.getSourceTopic());
        m.put("failedAtMs", d.getFailedAtMs());
        return m;
    }

    /** The report entry of a step that failed before any score: no abilities, the failure instead. */
    static Map<String, Object> failedStep(String runId, long step, List<DeadLetter> failures) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("step", step);
        m.put("tokensSeen", null);
        m.put("status", "failed");
        m.put("complete", false);
        m.put("progress", 0.0);
        m.put("abilities", List.of());
        m.put("tasks", List.of());
        m.put("failures", failures.stream().map(ApiJson::failure).toList());
        return m;
    }

    /** JSON has no NaN: undefined means are sent as null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
