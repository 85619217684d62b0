package dev.radar.scoring.worker;

import dev.radar.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The scorer's meters, named in {@link MetricNames}; one instance per scorer, shared by its threads. */
final class ScorerMetrics {
    static final String COMPONENT = "scorer";

    private final MeterRegistry registry;
    private final Counter samplesScored;
    private final Counter samplesFailed;
    private final Timer shardLatency;
    private final DistributionSummary samplesPerSecond;
    private final Counter retries;
    private final Timer modelIdle;
    private final Timer preparationWait;
    private final Counter stalledPolls;
    private final Timer modelLoad;

    ScorerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.samplesScored = Counter.builder(MetricNames.SCORER_SAMPLES).tag("result", "scored").register(registry);
        this.samplesFailed = Counter.builder(MetricNames.SCORER_SAMPLES).tag("result", "failed").register(registry);
        this.shardLatency = Timer.builder(MetricNames.SCORER_SHARD_LATENCY)
                .description("Shard wall time, start of scoring (model load included) to commit")
                // Micrometer's default histogram stops at 30 s; a real model's shard (and its load) takes minutes.
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
        this.samplesPerSecond = DistributionSummary.builder(MetricNames.SCORER_SHARD_THROUGHPUT)
                .description("Samples per second of each shard").baseUnit(MetricNames.THROUGHPUT_UNIT).register(registry);
        this.retries = Counter.builder(MetricNames.SCORER_SHARD_RETRIES).register(registry);
        this.modelIdle = Timer.builder(MetricNames.SCORER_MODEL_IDLE)
                .description("Scoring thread's wait between two shards").register(registry);
        this.preparationWait = Timer.builder(MetricNames.SCORER_PREPARATION_WAIT)
                .description("Scoring thread's wait for the shard's preparation (files, images, tokens)").register(registry);
        this.stalledPolls = Counter.builder(MetricNames.SCORER_STALLED_POLLS)
                .description("Polls that ran to their timeout while a scored shard waited for its commit").register(registry);
        this.modelLoad = Timer.builder(MetricNames.SCORER_MODEL_LOAD).description("Checkpoint load time").register(registry);
    }

    Timer modelLoad() {
        return modelLoad;
    }

    void sample(boolean success) {
        (success ? samplesScored : samplesFailed).increment();
    }

    void shardCommitted(int samples, long nanos) {
        shardLatency.record(nanos, TimeUnit.NANOSECONDS);
        samplesPerSecond.record(samples / Math.max(1e-9, nanos / 1e9));
    }

    void retry() {
        retries.increment();
    }

    void modelIdle(long nanos) {
        modelIdle.record(nanos, TimeUnit.NANOSECONDS);
    }

    void preparationWait(long nanos) {
        preparationWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    void stalledPoll() {
        stalledPolls.increment();
    }

    void deadLetter(String reason) {
        registry.counter(MetricNames.DEAD_LETTERS, "component", COMPONENT, "reason", reason).increment();
    }
}
