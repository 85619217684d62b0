package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.AlertKind;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Consumes complete AbilityReports re-keyed by runId (so every checkpoint of a run meets here), keeps the run's
 * curves ordered by step and raises a STAGNATION alert when reasoning stops moving while perception improves, and
 * a RECOVERY when it moves again: once per state change, never on every checkpoint.
 */
final class CurveTracker implements Processor<String, AbilityReport, String, AbilityAlert> {
    private final AggregatorConfig cfg;
    private final StagnationDetector detector;
    private ProcessorContext<String, AbilityAlert> context;
    private LiveStore<RunCurves> curves;
    private KeyValueStore<String, List<AbilityAlert>> alerts;

    CurveTracker(AggregatorConfig cfg) {
        this.cfg = cfg;
        this.detector = new StagnationDetector(cfg);
    }

    @Override
    public void init(ProcessorContext<String, AbilityAlert> context) {
        this.context = context;
        this.curves = new LiveStore<>(context.getStateStore(AggregatorTopology.CURVE_STORE), cfg.liveMax());
        this.alerts = context.getStateStore(AggregatorTopology.ALERT_STORE);
    }

    @Override
    public void process(Record<String, AbilityReport> record) {
        AbilityReport report = record.value();
        String runId = report.getRunId();
        RunCurves run = curves.get(runId);
        if (run == null) {
            run = new RunCurves();
        }
        RunCurves.VersionCurve curve = run.versions.computeIfAbsent(report.getBenchmarkVersion(), v -> new RunCurves.VersionCurve());
        run.latestVersion = report.getBenchmarkVersion();
        curve.put(report.getStep(), checkpoint(report), cfg.curveMaxSteps());

        AbilityAlert alert = null;
        Optional<StagnationDetector.Verdict> verdict = detector.evaluate(curve.points);
        if (verdict.isPresent()) {
            StagnationDetector.Verdict v = verdict.get();
            String evaluationId = curve.points.get(v.steps().get(v.steps().size() - 1)).evaluationId();
            if (!curve.stagnating && v.stagnant()) {
                curve.stagnating = true;
                alert = alert(runId, evaluationId, AlertKind.STAGNATION, v);
            } else if (curve.stagnating && v.reasoningMoves()) {
                curve.stagnating = false;
                alert = alert(runId, evaluationId, AlertKind.RECOVERY, v);
            }
        }
        curves.put(runId, run);
        if (alert != null) {
            List<AbilityAlert> recent = alerts.get(runId);
            recent = recent == null ? new ArrayList<>() : new ArrayList<>(recent);
            recent.add(alert);
            if (recent.size() > cfg.alertsMax()) {
                recent = new ArrayList<>(recent.subList(recent.size() - cfg.alertsMax(), recent.size()));
            }
            alerts.put(runId, recent);
            context.forward(new Record<>(runId, alert, record.timestamp()));
        }
    }

    private static RunCurves.Checkpoint checkpoint(AbilityReport report) {
        Map<String, CurvePoint> points = new LinkedHashMap<>();
        for (AbilityScore s : report.getAbilities()) {
            // A fine ability named like a top-level one never hides the top-level value.
            if (s.getLevel().equals("ability") || !points.containsKey(s.getName())) {
                points.put(s.getName(), new CurvePoint(report.getStep(), report.getTokensSeen(), s.getSds(),
                        s.getAccuracy(), s.getStderr()));
            }
        }
        return new RunCurves.Checkpoint(report.getEvaluationId(), points);
    }

    private AbilityAlert alert(String runId, String evaluationId, AlertKind kind, StagnationDetector.Verdict v) {
        long first = v.steps().get(0);
        long last = v.steps().get(v.steps().size() - 1);
        String message = kind == AlertKind.STAGNATION
                ? String.format(Locale.ROOT, "reasoning stagnates over steps %d..%d: SDS gain %.4f < threshold %.4f while perception gains %.4f",
                first, last, v.gain(), v.threshold(), v.perceptionGain())
                : String.format(Locale.ROOT, "reasoning moves again over steps %d..%d: SDS gain %.4f >= threshold %.4f",
                first, last, v.gain(), v.threshold());
        return AbilityAlert.newBuilder()
                .setRunId(runId)
                .setStep(last)
                .setEvaluationId(evaluationId)
                .setAbility(CheckpointState.REASONING)
                .setKind(kind)
                .setSteps(v.steps())
                .setValues(v.values())
                .setSlope(v.slopePerStep() * 1000)
                .setGain(v.gain())
                .setThreshold(v.threshold())
                .setPerceptionGain(v.perceptionGain())
                .setMessage(message)
                .setFiredAtMs(context.currentSystemTimeMs())
                .build();
    }
}
