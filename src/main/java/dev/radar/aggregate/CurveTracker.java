package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.AlertKind;
import dev.radar.events.DeadLetter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Consumes AbilityReports and dead letters re-keyed by runId (so every checkpoint of a run meets here). Keeps the
 * run's curves of complete checkpoints ordered by step, the steps still being scored, and the failed checkpoints;
 * raises a STAGNATION alert when the evidence says reasoning is flat while perception clearly improves
 * ({@link StagnationDetector}), and a RECOVERY when reasoning moves again: once per state change, never on every
 * checkpoint.
 */
final class CurveTracker implements Processor<String, SpecificRecord, String, AbilityAlert> {
    private final AggregatorConfig cfg;
    private final StagnationDetector detector;
    private ProcessorContext<String, AbilityAlert> context;
    private LiveStore<RunCurves> curves;
    private KeyValueStore<String, List<AbilityAlert>> alerts;
    private KeyValueStore<String, List<DeadLetter>> failures;

    CurveTracker(AggregatorConfig cfg) {
        this.cfg = cfg;
        this.detector = new StagnationDetector(cfg);
    }

    @Override
    public void init(ProcessorContext<String, AbilityAlert> context) {
        this.context = context;
        this.curves = new LiveStore<>(context.getStateStore(AggregatorTopology.CURVE_STORE), cfg.liveMax());
        this.alerts = context.getStateStore(AggregatorTopology.ALERT_STORE);
        this.failures = context.getStateStore(AggregatorTopology.FAILURE_STORE);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof AbilityReport report) {
            if (report.getComplete()) {
                onComplete(report, record.timestamp());
            } else {
                onPartial(report);
            }
        } else if (record.value() instanceof DeadLetter letter) {
            onFailure(letter);
        }
    }

    private RunCurves run(String runId) {
        RunCurves run = curves.get(runId);
        return run != null ? run : new RunCurves();
    }

    /** A step being scored: no stagnation window may span it until it completes or fails. */
    private void onPartial(AbilityReport report) {
        RunCurves run = run(report.getRunId());
        RunCurves.VersionCurve curve = run.versions.computeIfAbsent(report.getBenchmarkVersion(), v -> new RunCurves.VersionCurve());
        if (curve.inFlight.add(report.getStep())) {
            curves.put(report.getRunId(), run);
        }
    }

    /**
     * A failed checkpoint: kept (latest letter per step, component and reason) for the API and the page, and no
     * longer in flight, since nothing more will come for it.
     */
    private void onFailure(DeadLetter letter) {
        String runId = letter.getRunId();
        List<DeadLetter> list = failures.get(runId);
        list = list == null ? new ArrayList<>() : new ArrayList<>(list);
        list.removeIf(d -> Objects.equals(d.getStep(), letter.getStep()) && d.getComponent().equals(letter.getComponent())
                && d.getReason().equals(letter.getReason()));
        list.add(letter);
        if (list.size() > cfg.curveMaxSteps()) {
            list = new ArrayList<>(list.subList(list.size() - cfg.curveMaxSteps(), list.size()));
        }
        failures.put(runId, list);
        if (letter.getStep() != null) {
            RunCurves run = curves.get(runId);
            if (run != null && run.versions.values().stream().anyMatch(c -> c.inFlight.remove(letter.getStep()))) {
                curves.put(runId, run);
            }
        }
    }

    private void onComplete(AbilityReport report, long timestamp) {
        String runId = report.getRunId();
        RunCurves run = run(runId);
        RunCurves.VersionCurve curve = run.versions.computeIfAbsent(report.getBenchmarkVersion(), v -> new RunCurves.VersionCurve());
        run.latestVersion = report.getBenchmarkVersion();
        curve.put(report.getStep(), checkpoint(report), cfg.curveMaxSteps());
        clearFailures(runId, report.getStep());

        AbilityAlert alert = null;
        Optional<StagnationDetector.Verdict> verdict = detector.evaluate(curve.points, curve.inFlight);
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
            context.forward(new Record<>(runId, alert, timestamp));
        }
    }

    /** A step that completed (e.g. re-evaluated after a fix) is no longer failed. */
    private void clearFailures(String runId, long step) {
        List<DeadLetter> list = failures.get(runId);
        if (list != null && list.stream().anyMatch(d -> Objects.equals(d.getStep(), step))) {
            List<DeadLetter> kept = list.stream().filter(d -> !Objects.equals(d.getStep(), step)).toList();
            if (kept.isEmpty()) {
                failures.delete(runId);
            } else {
                failures.put(runId, new ArrayList<>(kept));
            }
        }
    }

    private static RunCurves.Checkpoint checkpoint(AbilityReport report) {
        Map<String, CurvePoint> points = new LinkedHashMap<>();
        for (AbilityScore s : report.getAbilities()) {
            // A fine ability named like a top-level one never hides the top-level value.
            if (s.getLevel().equals("ability") || !points.containsKey(s.getName())) {
                points.put(s.getName(), new CurvePoint(report.getStep(), report.getTokensSeen(), s.getLevel(), s.getSds(),
                        s.getAccuracy(), s.getStderr(), s.getSamples(), s.getChance() == null ? Double.NaN : s.getChance()));
            }
        }
        return new RunCurves.Checkpoint(report.getEvaluationId(), points);
    }

    private AbilityAlert alert(String runId, String evaluationId, AlertKind kind, StagnationDetector.Verdict v) {
        long first = v.steps().get(0);
        long last = v.steps().get(v.steps().size() - 1);
        String message = kind == AlertKind.STAGNATION
                ? String.format(Locale.ROOT, "reasoning stagnates over steps %d..%d: SDS gain %.4f ± %.4f (upper bound %.4f "
                        + "< %.4f) while perception gains %.4f ± %.4f (%.1f standard errors more; n >= %d per checkpoint)",
                first, last, v.gain(), v.gainStderr(), v.upperBound(), v.threshold(), v.perceptionGain(),
                v.perceptionGainStderr(), v.differenceInStderrs(), v.minSamples())
                : String.format(Locale.ROOT, "reasoning moves again over steps %d..%d: SDS gain %.4f ± %.4f (lower bound %.4f > 0, "
                        + "gain >= %.4f)", first, last, v.gain(), v.gainStderr(), v.gain() - v.k() * v.gainStderr(), v.threshold());
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
                .setGainStderr(v.gainStderr())
                .setPerceptionGainStderr(v.perceptionGainStderr())
                .setStderrFactor(v.k())
                .setMinSamples(v.minSamples())
                .setMessage(message)
                .setFiredAtMs(context.currentSystemTimeMs())
                .build();
    }
}
