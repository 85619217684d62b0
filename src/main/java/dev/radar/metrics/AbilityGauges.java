package dev.radar.metrics;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.AlertKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Ability gauges computed from aggregator output only ({@link AbilityReport}, {@link AbilityAlert}), never from
 * raw scores. {@link #update} takes the full current state (e.g. from the aggregator's interactive queries) and
 * replaces every series: a run or ability that disappears from the input disappears from /metrics.
 *
 * <p>Per run: ability and task gauges and {@code radar_latest_step} come from the latest complete report by step
 * (a partial report never moves a curve); {@code radar_evaluation_progress} from the newest report, complete or not;
 * {@code radar_stagnation} from the latest alert per (run, ability), 0 for abilities without one.
 * Labels are run, ability, level and task only: bounded, never sample ids. The one exception is the per-step curve
 * ({@code radar_curve_*}, labels step and tokens): every complete checkpoint of the run's newest benchmark version, the
 * newest {@code curveMaxSteps} of them, so Grafana draws SDS against the step from one instant query and no
 * checkpoint is lost, whether it completed between two scrapes or was backfilled behind newer ones.
 */
public final class AbilityGauges {
    public static final String LEVEL_ABILITY = "ability";
    public static final String LEVEL_FINE = "fine";
    /** Default bound on the complete steps per run exported by the per-step curve gauges. */
    public static final int CURVE_MAX_STEPS = 200;

    // Newest first: step, then the aggregator's update time (two reports of one step = two benchmark versions).
    private static final Comparator<AbilityReport> REPORT_ORDER = Comparator
            .comparingLong(AbilityReport::getStep).thenComparingLong(AbilityReport::getUpdatedAtMs);
    private static final Comparator<AbilityAlert> ALERT_ORDER = Comparator
            .comparingLong(AbilityAlert::getStep).thenComparingLong(AbilityAlert::getFiredAtMs);

    // MultiGauge holds its row values strongly and removes rows missing from the next register(rows, true).
    private final MultiGauge abilitySds;
    private final MultiGauge abilityAccuracy;
    private final MultiGauge taskSds;
    private final MultiGauge latestStep;
    private final MultiGauge latestTokens;
    private final MultiGauge progress;
    private final MultiGauge gap;
    private final MultiGauge stagnation;
    private final MultiGauge chance;
    private final MultiGauge curveSds;
    private final MultiGauge curveAccuracy;
    private final MultiGauge curveStderr;
    private final int curveMaxSteps;

    public AbilityGauges(MeterRegistry registry) {
        this(registry, CURVE_MAX_STEPS);
    }

    /** @param curveMaxSteps newest complete steps per run in the per-step curve gauges (cardinality bound) */
    public AbilityGauges(MeterRegistry registry, int curveMaxSteps) {
        this.curveMaxSteps = curveMaxSteps;
        chance = gauge(registry, MetricNames.ABILITY_CHANCE, "Chance level of an ability (mean 1/K over its tasks) at the latest complete step");
        curveSds = gauge(registry, MetricNames.CURVE_SDS, "SDS of an ability at every complete step (per-step curve)");
        curveAccuracy = gauge(registry, MetricNames.CURVE_ACCURACY, "Accuracy of an ability at every complete step (per-step curve)");
        curveStderr = gauge(registry, MetricNames.CURVE_STDERR, "Standard error of an ability's SDS at every complete step (per-step curve)");
        abilitySds = gauge(registry, MetricNames.ABILITY_SDS, "SDS of an ability at the latest complete step");
        abilityAccuracy = gauge(registry, MetricNames.ABILITY_ACCURACY, "Accuracy of an ability at the latest complete step");
        taskSds = gauge(registry, MetricNames.TASK_SDS, "SDS of a task at the latest complete step");
        latestStep = gauge(registry, MetricNames.LATEST_STEP, "Latest completely evaluated step");
        latestTokens = gauge(registry, MetricNames.LATEST_TOKENS, "Training tokens seen at the latest complete step");
        progress = gauge(registry, MetricNames.EVALUATION_PROGRESS, "Progress 0..1 of the newest evaluation");
        gap = gauge(registry, MetricNames.ABILITY_GAP, "Perception minus reasoning SDS at the latest complete step");
        stagnation = gauge(registry, MetricNames.STAGNATION, "1 while the ability's latest alert is a stagnation");
    }

    private static MultiGauge gauge(MeterRegistry registry, String name, String description) {
        return MultiGauge.builder(name).description(description).register(registry);
    }

    /** Replaces every series with what {@code reports} and {@code alerts} (any order, any history) say now. */
    public synchronized void update(Collection<AbilityReport> reports, Collection<AbilityAlert> alerts) {
        Map<String, List<AbilityReport>> byRun = reports.stream()
                .collect(Collectors.groupingBy(AbilityReport::getRunId, LinkedHashMap::new, Collectors.toList()));
        Map<String, AbilityAlert> latestAlert = new HashMap<>();
        for (AbilityAlert a : alerts) {
            latestAlert.merge(a.getRunId() + '\u0000' + a.getAbility(), a,
                    (x, y) -> ALERT_ORDER.compare(x, y) >= 0 ? x : y);
        }

        List<MultiGauge.Row<?>> sds = new ArrayList<>();
        List<MultiGauge.Row<?>> acc = new ArrayList<>();
        List<MultiGauge.Row<?>> tasks = new ArrayList<>();
        List<MultiGauge.Row<?>> steps = new ArrayList<>();
        List<MultiGauge.Row<?>> tokens = new ArrayList<>();
        List<MultiGauge.Row<?>> prog = new ArrayList<>();
        List<MultiGauge.Row<?>> gaps = new ArrayList<>();
        Map<String, MultiGauge.Row<?>> stag = new LinkedHashMap<>();
        List<MultiGauge.Row<?>> chances = new ArrayList<>();
        List<MultiGauge.Row<?>> cSds = new ArrayList<>();
        List<MultiGauge.Row<?>> cAcc = new ArrayList<>();
        List<MultiGauge.Row<?>> cErr = new ArrayList<>();

        byRun.forEach((run, runReports) -> {
            Tags runTag = Tags.of("run", run);
            runReports.stream().max(REPORT_ORDER)
                    .ifPresent(newest -> prog.add(MultiGauge.Row.of(runTag, newest.getProgress())));
            Optional<AbilityReport> complete = runReports.stream().filter(AbilityReport::getComplete).max(REPORT_ORDER);
            complete.ifPresent(r -> {
                steps.add(MultiGauge.Row.of(runTag, r.getStep()));
                if (r.getTokensSeen() != null) {
                    tokens.add(MultiGauge.Row.of(runTag, r.getTokensSeen()));
                }
                if (r.getPerceptionReasoningGap() != null) {
                    gaps.add(MultiGauge.Row.of(runTag, r.getPerceptionReasoningGap()));
                }
                for (AbilityScore a : r.getAbilities()) {
                    if (!LEVEL_ABILITY.equals(a.getLevel()) && !LEVEL_FINE.equals(a.getLevel())) {
                        continue;
                    }
                    Tags t = runTag.and("ability", a.getName(), "level", a.getLevel());
                    sds.add(MultiGauge.Row.of(t, a.getSds()));
                    acc.add(MultiGauge.Row.of(t, a.getAccuracy()));
                    if (a.getChance() != null) {
                        chances.add(MultiGauge.Row.of(t, a.getChance()));
                    }
                    if (LEVEL_ABILITY.equals(a.getLevel())) {
                        // Visible "not stagnating" for every top-level ability, overridden by an alert below.
                        stag.put(run + '\u0000' + a.getName(), MultiGauge.Row.of(runTag.and("ability", a.getName()), 0));
                    }
                }
                for (AbilityScore t : r.getTasks()) {
                    tasks.add(MultiGauge.Row.of(runTag.and("task", t.getName()), t.getSds()));
                }
                curveRows(run, r.getBenchmarkVersion(), runReports, cSds, cAcc, cErr);
            });
        });
        latestAlert.forEach((key, a) -> stag.put(key, MultiGauge.Row.of(
                Tags.of("run", a.getRunId(), "ability", a.getAbility()), a.getKind() == AlertKind.STAGNATION ? 1 : 0)));

        abilitySds.register(sds, true);
        abilityAccuracy.register(acc, true);
        taskSds.register(tasks, true);
        latestStep.register(steps, true);
        latestTokens.register(tokens, true);
        progress.register(prog, true);
        gap.register(gaps, true);
        stagnation.register(stag.values(), true);
        chance.register(chances, true);
        curveSds.register(cSds, true);
        curveAccuracy.register(cAcc, true);
        curveStderr.register(cErr, true);
    }

    /**
     * Rows of the per-step curve: the newest {@code curveMaxSteps} complete steps of {@code version} (the latest
     * complete report's, as the API's curves: two versions never mix on one curve), one row per ability and step.
     */
    private void curveRows(String run, String version, List<AbilityReport> runReports, List<MultiGauge.Row<?>> sds,
                           List<MultiGauge.Row<?>> acc, List<MultiGauge.Row<?>> err) {
        Map<Long, AbilityReport> byStep = new java.util.TreeMap<>(Comparator.reverseOrder());
        for (AbilityReport r : runReports) {
            if (r.getComplete() && r.getBenchmarkVersion().equals(version)) {
                byStep.merge(r.getStep(), r, (x, y) -> REPORT_ORDER.compare(x, y) >= 0 ? x : y);
            }
        }
        byStep.values().stream().limit(curveMaxSteps).forEach(r -> {
            Tags point = Tags.of("run", run, "step", Long.toString(r.getStep()),
                    "tokens", r.getTokensSeen() == null ? "" : Long.toString(r.getTokensSeen()));
            for (AbilityScore a : r.getAbilities()) {
                if (LEVEL_ABILITY.equals(a.getLevel()) || LEVEL_FINE.equals(a.getLevel())) {
                    Tags t = point.and("ability", a.getName(), "level", a.getLevel());
                    sds.add(MultiGauge.Row.of(t, a.getSds()));
                    acc.add(MultiGauge.Row.of(t, a.getAccuracy()));
                    err.add(MultiGauge.Row.of(t, a.getStderr()));
                }
            }
        });
    }
}
