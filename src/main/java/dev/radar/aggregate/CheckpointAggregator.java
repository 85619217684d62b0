package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.TaskExpectation;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds SampleScores and EvaluationPlanned events of one (run, step) partition into per-(run, step, benchmark
 * version) state and emits AbilityReports keyed {@code runId/step/benchmarkVersion}.
 *
 * <p>Checkpoint states are live objects ({@link LiveStore}): loaded once, changed in memory and written through
 * before the next record, so a sample costs no deserialisation. A new sample is written once: its id and its count
 * go to the seen store in its {@link SeenSamples} chunk, which also drops duplicates (same evaluation, task and sample
 * id), so redelivered or re-scored samples never count twice; the checkpoint store is rewritten only when the
 * state's own part (ids, plan, taxonomy, report bookkeeping) changes. Partial reports are rate-limited per
 * checkpoint (interval and/or every K samples); a wall-clock punctuator flushes checkpoints left with unreported
 * samples. A report that is complete
 * always goes out, and again if a late, new sample changes it.
 */
final class CheckpointAggregator implements Processor<String, SpecificRecord, String, AbilityReport> {
    private final AggregatorConfig cfg;
    private ProcessorContext<String, AbilityReport> context;
    private LiveStore<CheckpointState> checkpoints;
    private KeyValueStore<String, byte[]> seen;
    private KeyValueStore<String, AbilityReport> reports;
    private KeyValueStore<String, EvaluationPlanned> plans;
    /** Checkpoints with samples not yet in a report; in memory only: after a restart the next sample re-marks them. */
    private final Set<String> unreported = new LinkedHashSet<>();

    CheckpointAggregator(AggregatorConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void init(ProcessorContext<String, AbilityReport> context) {
        this.context = context;
        KeyValueStore<String, CheckpointState> stored = context.getStateStore(AggregatorTopology.CHECKPOINT_STORE);
        this.seen = context.getStateStore(AggregatorTopology.SEEN_STORE);
        this.checkpoints = new LiveStore<>(stored, key -> {
            CheckpointState state = stored.get(key);
            if (state != null) {
                state.seen = SeenSamples.load(seen, key, state);
            }
            return state;
        }, cfg.liveMax());
        this.unreported.clear();
        this.reports = context.getStateStore(AggregatorTopology.REPORT_STORE);
        this.plans = context.getStateStore(AggregatorTopology.PLAN_STORE);
        if (cfg.reportIntervalMs() > 0) {
            context.schedule(Duration.ofMillis(cfg.reportIntervalMs()), PunctuationType.WALL_CLOCK_TIME, this::flush);
        }
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof SampleScore score) {
            onScore(score, record.timestamp());
        } else if (record.value() instanceof EvaluationPlanned plan) {
            onPlan(plan, record.timestamp());
        }
    }

    private void onScore(SampleScore score, long timestamp) {
        String key = EventKeys.report(score.getRunId(), score.getStep(), score.getBenchmarkVersion());
        CheckpointState state = load(key, score.getRunId(), score.getStep(), score.getBenchmarkVersion());
        SeenSamples.Chunk chunk = state.seen.add(score);
        if (chunk == null) {
            return;
        }
        seen.put(chunk.key(), chunk.value()); // the sample's id and its count, in one write
        boolean storedPartChanged = state.apply(score);
        update(key, state, timestamp, false, storedPartChanged);
    }

    private void onPlan(EvaluationPlanned plan, long timestamp) {
        String key = EventKeys.report(plan.getRunId(), plan.getStep(), plan.getBenchmarkVersion());
        CheckpointState state = load(key, plan.getRunId(), plan.getStep(), plan.getBenchmarkVersion());
        state.apply(plan);
        // What reports copy from the plan: checkpoint URI, attributes, the tasks' chance levels.
        plans.put(key, EvaluationPlanned.newBuilder(plan).setExpectedByAbility(Map.of()).build());
        // Progress just became known: worth a report right away.
        update(key, state, timestamp, true, true);
    }

    private CheckpointState load(String key, String runId, long step, String version) {
        CheckpointState state = checkpoints.get(key);
        return state != null ? state : CheckpointState.of(runId, step, version);
    }

    /**
     * Emits the report of {@code state} when complete, forced, or the rate limit allows, and stores the state's own
     * part when that changed (a report changes its bookkeeping). A state new to the live map always has a changed
     * part (its ids, its first task), so it is always put, and thereby kept live.
     */
    private void update(String key, CheckpointState state, long timestamp, boolean force, boolean storedPartChanged) {
        long now = context.currentSystemTimeMs();
        boolean due = force || state.complete() || state.partialDue(now, cfg.reportIntervalMs(), cfg.reportEverySamples());
        AbilityReport report = null;
        if (due) {
            report = markEmitted(state, now);
            unreported.remove(key);
        } else {
            unreported.add(key);
        }
        if (report != null || storedPartChanged) {
            checkpoints.put(key, state);
        }
        if (report != null) {
            emit(key, report, timestamp);
        }
    }

    private AbilityReport markEmitted(CheckpointState state, long now) {
        state.lastEmitMs = now;
        state.sinceEmit = 0;
        return state.toReport(now);
    }

    private void emit(String key, AbilityReport report, long timestamp) {
        EvaluationPlanned plan = plans.get(key);
        if (plan != null) {
            report.setCheckpointUri(plan.getCheckpointUri());
            report.setAttributes(Map.copyOf(plan.getAttributes()));
            setChance(report, plan);
        }
        reports.put(key, report);
        context.forward(new Record<>(key, report, timestamp));
    }

    /**
     * Chance level of each score from the plan's tasks: a task's own, an ability's or fine ability's the mean over
     * its tasks (as the ability's SDS is a mean over them); unknown (null) where a task's chance is not known.
     */
    private static void setChance(AbilityReport report, EvaluationPlanned plan) {
        for (AbilityScore task : report.getTasks()) {
            task.setChance(mean(plan, t -> t.getTask().equals(task.getName())));
        }
        for (AbilityScore a : report.getAbilities()) {
            a.setChance(mean(plan, "ability".equals(a.getLevel())
                    ? t -> t.getAbility().equals(a.getName()) : t -> t.getFineAbility().equals(a.getName())));
        }
    }

    private static Double mean(EvaluationPlanned plan, java.util.function.Predicate<TaskExpectation> counted) {
        double sum = 0;
        int n = 0;
        for (TaskExpectation t : plan.getTasks()) {
            if (counted.test(t)) {
                if (!(t.getChance() > 0)) {
                    return null;
                }
                sum += t.getChance();
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    /** Punctuator: reports checkpoints whose latest samples were held back by the rate limit. */
    private void flush(long now) {
        List<String> keys = new ArrayList<>(unreported);
        for (String key : keys) {
            CheckpointState state = checkpoints.get(key);
            if (state == null) {
                unreported.remove(key);
                continue;
            }
            if (!state.partialDue(now, cfg.reportIntervalMs(), 0)) {
                continue;
            }
            unreported.remove(key);
            AbilityReport report = markEmitted(state, now);
            checkpoints.put(key, state);
            emit(key, report, now);
        }
    }
}
