package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.TaskExpectation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Running totals of one evaluation of a (run, step, benchmark version): per task count, SDS sum and sum of squares, correct and
 * failed counts, plus the plan's expected counts once the EvaluationPlanned has arrived. Mutable and kept live by the
 * aggregator. It is stored in two parts: the checkpoint store holds ids, plan, taxonomy and report bookkeeping,
 * rewritten only when they change; each sample's contribution is stored with its id in the seen store
 * ({@link SeenSamples}), from which the totals are rebuilt on load. A new sample thus costs one store write.
 *
 * <p>Scores: a task's SDS is the mean over its scored samples (failed ones count toward completion only); an
 * ability's (or fine ability's) SDS and accuracy are the unweighted mean over its tasks of the task means, and its
 * standard error that of a mean of independent task means, {@code sqrt(sum se_t^2) / T}. Tasks are the
 * {@code Source_category} units of M3-Bench, so a multi-category source is macro-averaged over its categories
 * inside the ability mean (each category weighs as one task). A task, ability or fine ability appears in a report
 * once it has at least one scored sample.
 *
 * <p>One state per evaluation id, never per (run, step, version) alone: a re-evaluation of a step is its own
 * evaluation with its own totals and its own completion, so it never pools with the earlier one (which pooled
 * 48 of 16 samples and said complete before any new sample). Which evaluation's report is the step's current one is
 * decided by {@link CheckpointAggregator}.
 *
 * <p>Once complete and past the dedupe retention, a state is <em>sealed</em>: its seen sample ids (and with them its
 * totals) are dropped, bounding the seen store; its last report is final and stays in the report stores.
 */
final class CheckpointState {
    static final String PERCEPTION = "perception";
    static final String REASONING = "reasoning";

    String evaluationId = "";
    String runId = "";
    long step;
    Long tokensSeen;
    String benchmarkVersion = "";
    /** True once the EvaluationPlanned arrived; before that progress is unknown and completion impossible. */
    boolean planned;
    int expectedTotal;
    /**
     * Offset of the plan in its radar.evaluations partition, -1 before the plan: every plan of one (run, step) is on
     * one partition, so the offset orders them as the planner planned them (a re-evaluation after the first), the
     * same on every replay. EvaluationPlanned.plannedAtMs is not used: planners leave it at 0.
     */
    long planOffset = -1;
    /** The evaluation's report is final; its seen ids (and totals) are gone, so it takes no more events. */
    boolean sealed;
    /** Emission bookkeeping for the rate limit of partial reports. */
    static final long NEVER = Long.MIN_VALUE;
    long lastEmitMs = NEVER;
    int sinceEmit;
    final Map<String, TaskTally> tasks = new TreeMap<>();
    /** The samples counted so far (dedupe); not part of the stored value: the seen store holds it. */
    SeenSamples seen;

    /** Per-task running totals. */
    static final class TaskTally {
        private String source = "";
        private String ability = "";
        private String fineAbility = "";
        /** The encoded name and taxonomy, kept by {@link StateSerdes} while they do not change. */
        byte[] encodedTaxonomy;
        int expected;
        int scored;
        int correct;
        int failed;
        double sum;
        double sumSq;

        int done() {
            return scored + failed;
        }

        String source() {
            return source;
        }

        String ability() {
            return ability;
        }

        String fineAbility() {
            return fineAbility;
        }

        /** Sets the taxonomy; returns whether it changed. */
        boolean taxonomy(String source, String ability, String fineAbility) {
            if (source.equals(this.source) && ability.equals(this.ability) && fineAbility.equals(this.fineAbility)) {
                return false;
            }
            this.source = source;
            this.ability = ability;
            this.fineAbility = fineAbility;
            encodedTaxonomy = null;
            return true;
        }

        double mean() {
            return sum / scored;
        }

        double accuracy() {
            return (double) correct / scored;
        }

        /** Standard error of the mean SDS (sample variance, n - 1); 0 below two samples. */
        double stderr() {
            if (scored < 2) {
                return 0.0;
            }
            double var = (sumSq - sum * sum / scored) / (scored - 1);
            return Math.sqrt(Math.max(0.0, var) / scored);
        }
    }

    static CheckpointState of(String runId, long step, String benchmarkVersion) {
        return of(runId, step, benchmarkVersion, "");
    }

    /** A new, empty state of one evaluation; {@code evaluationId} may be empty (set by the first event then). */
    static CheckpointState of(String runId, long step, String benchmarkVersion, String evaluationId) {
        CheckpointState s = new CheckpointState();
        s.runId = runId;
        s.step = step;
        s.benchmarkVersion = benchmarkVersion;
        s.evaluationId = evaluationId;
        s.seen = new SeenSamples(key(runId, step, benchmarkVersion, evaluationId));
        return s;
    }

    /**
     * Store key of one evaluation's state: the report key ({@code runId/step/version}) then {@code /evaluationId},
     * so the evaluations of one step sort together.
     */
    static String key(String runId, long step, String benchmarkVersion, String evaluationId) {
        return EventKeys.report(runId, step, benchmarkVersion) + "/" + evaluationId;
    }

    /** Key of this state in the checkpoint store. */
    String key() {
        return key(runId, step, benchmarkVersion, evaluationId);
    }

    /** Seals a complete state: its report is final and its seen ids are no longer needed. */
    void seal() {
        sealed = true;
        seen = null;
    }

    /**
     * Counts a sample not seen before.
     *
     * @return whether the stored part of the state changed (ids, tokens seen, a new task or its provisional
     * taxonomy); the count itself is stored with the sample's id by {@link SeenSamples}
     */
    boolean apply(SampleScore score) {
        boolean changed = false;
        if (evaluationId.isEmpty()) {
            evaluationId = score.getEvaluationId();
            changed = true;
        }
        if (tokensSeen == null && score.getTokensSeen() != null) {
            tokensSeen = score.getTokensSeen();
            changed = true;
        }
        TaskTally t = tasks.get(score.getTask());
        if (t == null) {
            t = new TaskTally();
            tasks.put(score.getTask(), t);
            changed = true;
        }
        if (!planned) {
            // Provisional taxonomy until the plan (the authority) arrives.
            changed |= t.taxonomy(score.getSource(), score.getAbility(), score.getFineAbility());
        }
        count(t, score.getFailure() != null, score.getCorrect(), score.getSds());
        sinceEmit++;
        return changed;
    }

    /** Adds one sample to its task's totals: for a new sample, and when the totals are rebuilt from the seen store. */
    void count(String task, boolean failed, boolean correct, double sds) {
        count(tasks.computeIfAbsent(task, k -> new TaskTally()), failed, correct, sds);
    }

    private static void count(TaskTally t, boolean failed, boolean correct, double sds) {
        if (failed) {
            t.failed++;
        } else {
            t.scored++;
            t.sum += sds;
            t.sumSq += sds * sds;
            if (correct) {
                t.correct++;
            }
        }
    }

    void apply(EvaluationPlanned plan) {
        planned = true;
        evaluationId = plan.getEvaluationId();
        if (plan.getTokensSeen() != null) {
            tokensSeen = plan.getTokensSeen();
        }
        int sum = 0;
        for (TaskExpectation e : plan.getTasks()) {
            TaskTally t = tasks.computeIfAbsent(e.getTask(), k -> new TaskTally());
            t.taxonomy(e.getSource(), e.getAbility(), e.getFineAbility());
            t.expected = e.getExpectedSamples();
            sum += e.getExpectedSamples();
        }
        expectedTotal = plan.getExpectedSamples() > 0 ? plan.getExpectedSamples() : sum;
    }

    /** Whether a partial report may go out now: never reported, interval elapsed, or K samples since the last. */
    boolean partialDue(long nowMs, long intervalMs, int everySamples) {
        return lastEmitMs == NEVER || nowMs - lastEmitMs >= intervalMs
                || (everySamples > 0 && sinceEmit >= everySamples);
    }

    int done() {
        int n = 0;
        for (TaskTally t : tasks.values()) {
            n += t.done();
        }
        return n;
    }

    /** Done samples counted against the plan (a task's surplus cannot make up another task's shortfall), 0..1. */
    double progress() {
        if (!planned) {
            return 0.0;
        }
        if (expectedTotal <= 0) {
            return 1.0;
        }
        long counted = 0;
        for (TaskTally t : tasks.values()) {
            counted += t.expected > 0 ? Math.min(t.done(), t.expected) : 0;
        }
        return Math.min(1.0, (double) counted / expectedTotal);
    }

    /** Complete when planned and every planned task has all its expected samples (scored or failed). */
    boolean complete() {
        if (!planned) {
            return false;
        }
        for (TaskTally t : tasks.values()) {
            if (t.done() < t.expected) {
                return false;
            }
        }
        return done() >= expectedTotal;
    }

    AbilityReport toReport(long nowMs) {
        List<AbilityScore> taskScores = new ArrayList<>();
        tasks.forEach((name, t) -> {
            if (t.scored > 0) {
                taskScores.add(score(name, "task", t.mean(), t.accuracy(), t.stderr(), t.scored, t.expected, t.failed));
            }
        });
        List<AbilityScore> abilities = new ArrayList<>(group("ability", TaskTally::ability));
        abilities.addAll(group("fine", TaskTally::fineAbility));
        Double gap = null;
        AbilityScore p = find(abilities, PERCEPTION);
        AbilityScore r = find(abilities, REASONING);
        if (p != null && r != null) {
            gap = p.getSds() - r.getSds();
        }
        boolean complete = complete();
        return AbilityReport.newBuilder()
                .setEvaluationId(evaluationId)
                .setRunId(runId)
                .setStep(step)
                .setTokensSeen(tokensSeen)
                .setBenchmarkVersion(benchmarkVersion)
                .setComplete(complete)
                .setProgress(complete ? 1.0 : progress())
                .setAbilities(abilities)
                .setTasks(taskScores)
                .setPerceptionReasoningGap(gap)
                .setUpdatedAtMs(nowMs)
                .build();
    }

    /** Macro mean over the tasks sharing {@code by}'s value (blank values are not a group; unscored groups not listed). */
    private List<AbilityScore> group(String level, Function<TaskTally, String> by) {
        List<AbilityScore> out = new ArrayList<>();
        for (MacroAverage<TaskTally> g : MacroAverage.groups(tasks.values(), by, t -> t.scored > 0)) {
            if (!g.scored().isEmpty()) {
                out.add(score(g.name(), level, g.mean(TaskTally::mean), g.mean(TaskTally::accuracy),
                        g.stderrOfMean(TaskTally::stderr), g.totalScored(t -> t.scored), g.total(t -> t.expected),
                        g.total(t -> t.failed)));
            }
        }
        return out;
    }

    private static AbilityScore find(List<AbilityScore> scores, String name) {
        for (AbilityScore s : scores) {
            if (s.getLevel().equals("ability") && s.getName().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private static AbilityScore score(String name, String level, double sds, double acc, double se,
                                      int samples, int expected, int failed) {
        return AbilityScore.newBuilder().setName(name).setLevel(level).setSds(sds).setAccuracy(acc).setStderr(se)
                .setSamples(samples).setExpectedSamples(expected).setFailed(failed).build();
    }
}
