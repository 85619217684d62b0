package dev.radar.web;

import dev.radar.aggregate.CurvePoint;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's JSON shapes: plain maps built from the Avro records, so the wire format is explicit and stable. */
final class ApiJson {
    private ApiJson() {
    }

    static Map<String, Object> report(AbilityReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.getRunId());
        m.put("step", r.getStep());
        m.put("tokensSeen", r.getTokensSeen());
        m.put("evaluationId", r.getEvaluationId());
        m.put("benchmarkVersion", r.getBenchmarkVersion());
        m.put("complete", r.getComplete());
        m.put("progress", r.getProgress());
        m.put("perceptionReasoningGap", r.getPerceptionReasoningGap());
        m.put("abilities", r.getAbilities().stream().map(ApiJson::score).toList());
        m.put("tasks", r.getTasks().stream().map(ApiJson::score).toList());
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
        m.put("message", a.getMessage());
        m.put("firedAtMs", a.getFiredAtMs());
        return m;
    }

    static Map<String, Object> curves(Map<String, List<CurvePoint>> curves) {
        Map<String, Object> m = new LinkedHashMap<>();
        curves.forEach((ability, points) -> m.put(ability, points.stream().map(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("step", p.step());
            pm.put("tokensSeen", p.tokensSeen());
            pm.put("sds", finite(p.sds()));
            pm.put("accuracy", finite(p.accuracy()));
            pm.put("stderr", finite(p.stderr()));
            return pm;
        }).toList()));
        return m;
    }

    /** JSON has no NaN: undefined means are sent as null. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
