package dev.radar.metrics;

/**
 * Pinned Micrometer meter names (Prometheus names in comments). Dashboards and alert rules query the Prometheus
 * names, so these must not change without changing grafana/ and deploy/prometheus/ too.
 */
public final class MetricNames {
    private MetricNames() {
    }

    /** Counter, tag result=scored|failed [radar_scorer_samples_total]. */
    public static final String SCORER_SAMPLES = "radar.scorer.samples";
    /** Timer with {@code publishPercentileHistogram()} [radar_scorer_shard_latency_seconds_bucket/_count/_sum]. */
    public static final String SCORER_SHARD_LATENCY = "radar.scorer.shard.latency";
    /** Timer [radar_scorer_model_load_seconds_count/_sum/_max]. */
    public static final String SCORER_MODEL_LOAD = "radar.scorer.model.load";
    /**
     * Distribution summary with base unit {@link #THROUGHPUT_UNIT}
     * [radar_scorer_shard_throughput_samples_per_second_count/_sum/_max].
     */
    public static final String SCORER_SHARD_THROUGHPUT = "radar.scorer.shard.throughput";
    /** Base unit that makes Micrometer append {@code _samples_per_second} to the Prometheus name. */
    public static final String THROUGHPUT_UNIT = "samples.per.second";
    /**
     * Timer: the scoring thread's wait between the end of one shard and the start of the next (fetching, preparing,
     * committing that the pipeline did not hide, or no work queued) [radar_scorer_model_idle_seconds_count/_sum/_max].
     */
    public static final String SCORER_MODEL_IDLE = "radar.scorer.model.idle";
    /**
     * Timer: per shard, how long the scoring thread waited for that shard's preparation (files read, images decoded,
     * prompts tokenised) to finish; near 0 while preparation keeps ahead of the model
     * [radar_scorer_preparation_wait_seconds_count/_sum/_max].
     */
    public static final String SCORER_PREPARATION_WAIT = "radar.scorer.preparation.wait";
    /**
     * Counter: polls that ran to their timeout (scorer.poll.ms) while a scored shard waited for its commit; stays 0
     * while the scoring thread wakes the poll [radar_scorer_stalled_polls_total].
     */
    public static final String SCORER_STALLED_POLLS = "radar.scorer.stalled.polls";
    /** Counter [radar_scorer_shard_retries_total]. */
    public static final String SCORER_SHARD_RETRIES = "radar.scorer.shard.retries";
    /** Counter, tag outcome=planned|duplicate|rejected [radar_planner_evaluations_total]. */
    public static final String PLANNER_EVALUATIONS = "radar.planner.evaluations";
    /** Counter, tags component, reason [radar_dead_letters_total]. */
    public static final String DEAD_LETTERS = "radar.dead.letters";

    /** Gauge {run, ability, level=ability|fine}: SDS at the latest complete step [radar_ability_sds]. */
    public static final String ABILITY_SDS = "radar.ability.sds";
    /** Gauge {run, ability, level}: accuracy at the latest complete step [radar_ability_accuracy]. */
    public static final String ABILITY_ACCURACY = "radar.ability.accuracy";
    /** Gauge {run, task}: task SDS at the latest complete step [radar_task_sds]. */
    public static final String TASK_SDS = "radar.task.sds";
    /** Gauge {run}: the latest complete step, the x value of the gauges above [radar_latest_step]. */
    public static final String LATEST_STEP = "radar.latest.step";
    /** Gauge {run}: training tokens seen at the latest complete step, when known [radar_latest_tokens]. */
    public static final String LATEST_TOKENS = "radar.latest.tokens";
    /** Gauge {run}: progress 0..1 of the newest evaluation, complete or not [radar_evaluation_progress]. */
    public static final String EVALUATION_PROGRESS = "radar.evaluation.progress";
    /** Gauge {run}: perception minus reasoning SDS at the latest complete step [radar_ability_gap]. */
    public static final String ABILITY_GAP = "radar.ability.gap";
    /** Gauge {run, ability}: 1 while the ability's latest alert is a stagnation, else 0 [radar_stagnation]. */
    public static final String STAGNATION = "radar.stagnation";
    /**
     * Gauge {run, ability, level, step, tokens}: SDS of every complete checkpoint (the run's newest benchmark version,
     * newest {@code AbilityGauges.CURVE_MAX_STEPS} steps) [radar_curve_sds]. The one family labelled by step: the
     * per-step curve for Grafana, bounded per run, so a checkpoint that completes between two scrapes or is
     * backfilled is on the next scrape.
     */
    public static final String CURVE_SDS = "radar.curve.sds";
    /** Gauge {run, ability, level, step, tokens}: accuracy of every complete checkpoint [radar_curve_accuracy]. */
    public static final String CURVE_ACCURACY = "radar.curve.accuracy";
    /** Gauge {run, ability, level, step, tokens}: standard error of the SDS of every complete checkpoint [radar_curve_stderr]. */
    public static final String CURVE_STDERR = "radar.curve.stderr";
    /** Gauge {run, ability, level}: chance level (mean 1/K over the ability's tasks) at the latest complete step [radar_ability_chance]. */
    public static final String ABILITY_CHANCE = "radar.ability.chance";
    /** Gauge {component}: 1 while the component runs, 0 once stopped [radar_up]. */
    public static final String UP = "radar.up";
}
