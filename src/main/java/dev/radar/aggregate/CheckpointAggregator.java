package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.DeadLetter;
import dev.radar.events.TaskExpectation;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.kafka.DeadLetters;
import dev.radar.kafka.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Folds SampleScores and EvaluationPlanned events of one (run, step) partition into one state per evaluation and
 * emits AbilityReports keyed {@code runId/step/benchmarkVersion}, plus DeadLetters for what it cannot use.
 *
 * <p><b>Evaluations.</b> A state belongs to one evaluation id ({@link CheckpointState#key}); a re-evaluation of a step
 * is a second evaluation and never pools with the first. The report under the step's key (report store, topic, curves)
 * is the step's <em>current</em> evaluation: the first one seen until another completes; a complete one replaces a
 * partial one, and of two complete ones the later planned wins (plan offset, see {@link CheckpointState#planOffset}).
 * So an earlier complete report stays current while a re-evaluation runs, and is replaced only once that one is
 * complete. Every evaluation's latest report is kept in the history store ({@link EvaluationHistory}).
 *
 * <p><b>Unplanned scores.</b> Scores may arrive before their plan (two topics), so they are counted but held: no
 * report leaves before the plan, and if no plan arrives within {@code aggregator.unplanned.hold.ms} of record time,
 * the evaluation's state is dropped with one dead letter "unknown-evaluation". A score for an evaluation that was never
 * planned therefore never creates a run.
 *
 * <p><b>Retention.</b> {@code aggregator.seen.retention.ms} of record time after completion, an evaluation is sealed:
 * its last report is final and its sample ids leave the seen store, which thus holds only the ids of
 * evaluations in progress or recently complete. A later sample of a sealed evaluation cannot be told from a duplicate
 * and is dead-lettered as "evaluation-sealed". Both limits run on record (stream) time, so a replay decides the same.
 *
 * <p>Checkpoint states are live objects ({@link LiveStore}): loaded once, changed in memory and written through
 * before the next record, so a sample costs no deserialisation. A new sample is written once: its id and its count
 * go to the seen store in its {@link SeenSamples} chunk, which also drops duplicates (same evaluation, task and sample
 * id), so redelivered or re-scored samples never count twice; the checkpoint store is rewritten only when the
 * state's own part (ids, plan, taxonomy, report bookkeeping) changes. Partial reports are rate-limited per
 * evaluation (interval and/or every K samples); a wall-clock punctuator flushes evaluations left with unreported
 * samples. A report that is complete always goes out, and again if a late, new sample changes it.
 */
final class CheckpointAggregator implements Processor<String, SpecificRecord, String, SpecificRecord> {
    /** Deadline-store key prefix: the evaluation is dropped if still unplanned at the deadline. */
    static final String HOLD = "hold|";
    /** Deadline-store key prefix: the evaluation is sealed at the deadline. */
    static final String SEAL = "seal|";

    private final AggregatorConfig cfg;
    private ProcessorContext<String, SpecificRecord> context;
    private LiveStore<CheckpointState> checkpoints;
    private KeyValueStore<String, byte[]> seen;
    private KeyValueStore<String, AbilityReport> reports;
    private KeyValueStore<String, EvaluationPlanned> plans;
    private KeyValueStore<String, AbilityReport> history;
    private KeyValueStore<String, Long> deadlines;
    /** Evaluations with samples not yet in a report; in memory only: after a restart the next sample re-marks them. */
    private final Set<String> unreported = new LinkedHashSet<>();

    CheckpointAggregator(AggregatorConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        KeyValueStore<String, CheckpointState> stored = context.getStateStore(AggregatorTopology.CHECKPOINT_STORE);
        this.seen = context.getStateStore(AggregatorTopology.SEEN_STORE);
        this.checkpoints = new LiveStore<>(stored, key -> {
            CheckpointState state = stored.get(key);
            if (state != null && !state.sealed) {
                state.seen = SeenSamples.load(seen, key, state);
            }
            return state;
        }, cfg.liveMax());
        this.unreported.clear();
        this.reports = context.getStateStore(AggregatorTopology.REPORT_STORE);
        this.plans = context.getStateStore(AggregatorTopology.PLAN_STORE);
        this.history = context.getStateStore(AggregatorTopology.HISTORY_STORE);
        this.deadlines = context.getStateStore(AggregatorTopology.DEADLINE_STORE);
        if (cfg.reportIntervalMs() > 0) {
            context.schedule(Duration.ofMillis(cfg.reportIntervalMs()), PunctuationType.WALL_CLOCK_TIME, this::flush);
        }
        context.schedule(Duration.ofMillis(cfg.maintenanceIntervalMs()), PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof SampleScore score) {
            onScore(score, record);
        } else if (record.value() instanceof EvaluationPlanned plan) {
            onPlan(plan, record);
        }
    }

    private void onScore(SampleScore score, Record<String, SpecificRecord> record) {
        String key = CheckpointState.key(score.getRunId(), score.getStep(), score.getBenchmarkVersion(), score.getEvaluationId());
        CheckpointState state = checkpoints.get(key);
        if (state == null) {
            state = CheckpointState.of(score.getRunId(), score.getStep(), score.getBenchmarkVersion(), score.getEvaluationId());
            deadlines.put(HOLD + key, record.timestamp() + cfg.unplannedHoldMs());
        }
        if (state.sealed) {
            context.forward(record.withValue(sealed(state, Topics.SAMPLE_SCORES.name(),
                    Topics.SAMPLE_SCORES.valueSerde().serializer().serialize(Topics.SAMPLE_SCORES.name(), score))));
            return;
        }
        SeenSamples.Chunk chunk = state.seen.add(score);
        if (chunk == null) {
            return;
        }
        seen.put(chunk.key(), chunk.value()); // the sample's id and its count, in one write
        boolean storedPartChanged = state.apply(score);
        update(key, state, record.timestamp(), false, storedPartChanged);
    }

    private void onPlan(EvaluationPlanned plan, Record<String, SpecificRecord> record) {
        String key = CheckpointState.key(plan.getRunId(), plan.getStep(), plan.getBenchmarkVersion(), plan.getEvaluationId());
        CheckpointState state = checkpoints.get(key);
        if (state == null) {
            state = CheckpointState.of(plan.getRunId(), plan.getStep(), plan.getBenchmarkVersion(), plan.getEvaluationId());
        }
        if (state.sealed) {
            context.forward(record.withValue(sealed(state, Topics.EVALUATIONS.name(),
                    Topics.EVALUATIONS.valueSerde().serializer().serialize(Topics.EVALUATIONS.name(), plan))));
            return;
        }
        state.apply(plan);
        // What reports copy from the plan: checkpoint URI, attributes, the tasks' chance levels.
        plans.put(key, EvaluationPlanned.newBuilder(plan).setExpectedByAbility(Map.of()).build());
        if (state.planOffset < 0) { // a repeated plan keeps the first one's place in the order
            state.planOffset = context.recordMetadata().map(RecordMetadata::offset).orElse(0L);
        }
        deadlines.delete(HOLD + key);
        // Progress just became known: worth a report right away.
        update(key, state, record.timestamp(), true, true);
    }

    /**
     * Emits the report of {@code state} when complete, forced, or the rate limit allows, and stores the state's own
     * part when that changed (a report changes its bookkeeping). A state new to the live map always has a changed
     * part (its ids, its first task), so it is always put, and thereby kept live. Nothing is reported before the plan.
     */
    private void update(String key, CheckpointState state, long timestamp, boolean force, boolean storedPartChanged) {
        if (!state.planned) {
            // Held: a score of an evaluation never planned must leave no report (and so no run) behind.
            if (storedPartChanged) {
                checkpoints.put(key, state);
            }
            return;
        }
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
            emit(state, report, timestamp);
            if (report.getComplete()) {
                retain(key, state, timestamp);
            }
        }
    }

    /** A complete evaluation keeps its sample ids for the retention, then is sealed (at once with retention 0). */
    private void retain(String key, CheckpointState state, long timestamp) {
        if (cfg.seenRetentionMs() == 0) {
            seal(key, state);
        } else {
            deadlines.putIfAbsent(SEAL + key, timestamp + cfg.seenRetentionMs());
        }
    }

    private void seal(String key, CheckpointState state) {
        deadlines.delete(SEAL + key);
        SeenSamples.delete(seen, key);
        state.seal();
        checkpoints.put(key, state);
    }

    private AbilityReport markEmitted(CheckpointState state, long now) {
        state.lastEmitMs = now;
        state.sinceEmit = 0;
        return state.toReport(now);
    }

    /**
     * Keeps the report as its evaluation's history entry, and emits it under the step's key when its evaluation is
     * (or now becomes) the step's current one.
     */
    private void emit(CheckpointState state, AbilityReport report, long timestamp) {
        EvaluationPlanned plan = plans.get(state.key());
        if (plan != null) {
            report.setCheckpointUri(plan.getCheckpointUri());
            report.setAttributes(Map.copyOf(plan.getAttributes()));
            setChance(report, plan);
        }
        history.put(state.key(), report);
        String stepKey = EventKeys.report(state.runId, state.step, state.benchmarkVersion);
        if (current(reports.get(stepKey), state, report)) {
            reports.put(stepKey, report);
            context.forward(new Record<>(stepKey, report, timestamp));
        }
    }

    /** Whether {@code report} of {@code state} is the step's report, given the step's {@code current} one. */
    private boolean current(AbilityReport current, CheckpointState state, AbilityReport report) {
        if (current == null || current.getEvaluationId().equals(state.evaluationId)) {
            return true;
        }
        if (!report.getComplete()) {
            return false; // a partial re-evaluation never hides the step's report
        }
        if (!current.getComplete()) {
            return true;
        }
        CheckpointState other = checkpoints.get(CheckpointState.key(state.runId, state.step, state.benchmarkVersion,
                current.getEvaluationId()));
        return other == null || state.planOffset > other.planOffset;
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

    /** Punctuator: reports evaluations whose latest samples were held back by the rate limit. */
    private void flush(long now) {
        List<String> keys = new ArrayList<>(unreported);
        for (String key : keys) {
            CheckpointState state = checkpoints.get(key);
            if (state == null || !state.planned || state.sealed) { // a sealed state's report is final
                unreported.remove(key);
                continue;
            }
            if (!state.partialDue(now, cfg.reportIntervalMs(), 0)) {
                continue;
            }
            unreported.remove(key);
            AbilityReport report = markEmitted(state, now);
            checkpoints.put(key, state);
            emit(state, report, now);
        }
    }

    /** Stream-time punctuator: drops evaluations held unplanned too long and seals those complete long enough. */
    private void expire(long streamTime) {
        List<KeyValue<String, Long>> due = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = deadlines.all()) {
            it.forEachRemaining(kv -> {
                if (kv.value != null && kv.value <= streamTime) {
                    due.add(kv);
                }
            });
        }
        for (KeyValue<String, Long> kv : due) {
            deadlines.delete(kv.key);
            if (kv.key.startsWith(HOLD)) {
                dropUnplanned(kv.key.substring(HOLD.length()), streamTime);
            } else if (kv.key.startsWith(SEAL)) {
                String key = kv.key.substring(SEAL.length());
                CheckpointState state = checkpoints.get(key);
                if (state != null && !state.sealed) {
                    seal(key, state);
                }
            }
        }
    }

    private void dropUnplanned(String key, long streamTime) {
        CheckpointState state = checkpoints.get(key);
        if (state == null || state.planned) {
            return;
        }
        int samples = SeenSamples.delete(seen, key);
        checkpoints.delete(key);
        unreported.remove(key);
        String recordKey = EventKeys.checkpoint(state.runId, state.step);
        DeadLetter letter = DeadLetters.builder(DecodeOrDeadLetter.COMPONENT, Topics.SAMPLE_SCORES.name(), -1, -1L,
                        recordKey.getBytes(StandardCharsets.UTF_8), null, "unknown-evaluation",
                        samples + " sample score(s) of evaluation " + state.evaluationId + " (run " + state.runId
                                + ", step " + state.step + ") were held " + cfg.unplannedHoldMs()
                                + " ms of record time and no EvaluationPlanned arrived; dropped")
                .setRunId(state.runId).setStep(state.step).setEvaluationId(state.evaluationId)
                .setFailedAtMs(context.currentSystemTimeMs())
                .build();
        context.forward(new Record<>(recordKey, letter, streamTime));
    }

    private DeadLetter sealed(CheckpointState state, String topic, byte[] value) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        String runId = state.runId;
        long step = state.step;
        String evaluationId = state.evaluationId;
        return DeadLetters.builder(DecodeOrDeadLetter.COMPONENT, meta.map(RecordMetadata::topic).orElse(topic),
                        meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L),
                        EventKeys.checkpoint(runId, step).getBytes(StandardCharsets.UTF_8), value, "evaluation-sealed",
                        "evaluation " + evaluationId + " completed more than aggregator.seen.retention.ms ("
                                + cfg.seenRetentionMs() + " ms of record time) ago and its sample ids were dropped: a"
                                + " late event cannot be told from a duplicate, so it is not counted")
                .setRunId(runId).setStep(step).setEvaluationId(evaluationId)
                .setFailedAtMs(context.currentSystemTimeMs())
                .build();
    }
}
