package dev.radar.metrics;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.AlertKind;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;

/** Builds aggregator-shaped events and the other components' meters for metric tests. */
final class ReportFixtures {
    private ReportFixtures() {
    }

    static AbilityScore score(String name, String level, double sds) {
        return AbilityScore.newBuilder().setName(name).setLevel(level).setSds(sds).setAccuracy(sds / 2)
                .setStderr(0.01).setSamples(100).setExpectedSamples(100).setFailed(0).setChance(0.25).build();
    }

    /** A report with perception = p, reasoning = r, one fine ability and two tasks derived from them. */
    static AbilityReport report(String run, long step, boolean complete, double progress, double p, double r) {
        return AbilityReport.newBuilder()
                .setEvaluationId(run + "@" + step + "#v1").setRunId(run).setStep(step).setTokensSeen(step * 1000)
                .setBenchmarkVersion("v1").setComplete(complete).setProgress(progress)
                .setAbilities(List.of(score("perception", "ability", p), score("reasoning", "ability", r),
                        score("spatial_reasoning", "fine", r - 0.05)))
                .setTasks(List.of(score("mathvista", "task", r), score("wiki_animal", "task", p)))
                .setPerceptionReasoningGap(p - r).setUpdatedAtMs(step).build();
    }

    static AbilityAlert alert(String run, String ability, long step, AlertKind kind) {
        return AbilityAlert.newBuilder().setRunId(run).setStep(step).setEvaluationId(run + "@" + step).setAbility(ability)
                .setKind(kind).setSteps(List.of(step - 2000, step - 1000, step)).setValues(List.of(0.5, 0.5, 0.5))
                .setSlope(0).setGain(0).setThreshold(0.01).setMessage(ability + " " + kind).setFiredAtMs(step).build();
    }

    /** Registers every pinned scorer/planner meter the way those components do. */
    static void registerComponentMeters(RadarMetrics metrics) {
        var r = metrics.registry();
        r.counter(MetricNames.SCORER_SAMPLES, "result", "scored").increment(10);
        r.counter(MetricNames.SCORER_SAMPLES, "result", "failed").increment();
        Timer.builder(MetricNames.SCORER_SHARD_LATENCY).publishPercentileHistogram().register(r)
                .record(Duration.ofMillis(250));
        Timer.builder(MetricNames.SCORER_MODEL_LOAD).register(r).record(Duration.ofSeconds(3));
        DistributionSummary.builder(MetricNames.SCORER_SHARD_THROUGHPUT).baseUnit(MetricNames.THROUGHPUT_UNIT)
                .register(r).record(42);
        r.counter(MetricNames.SCORER_SHARD_RETRIES).increment();
        r.counter(MetricNames.PLANNER_EVALUATIONS, "outcome", "planned").increment();
        r.counter(MetricNames.DEAD_LETTERS, "component", "planner", "reason", "bad-step").increment();
    }
}
