package dev.radar.metrics;

import dev.radar.events.AlertKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.radar.metrics.ReportFixtures.alert;
import static dev.radar.metrics.ReportFixtures.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AbilityGaugesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AbilityGauges gauges = new AbilityGauges(registry);

    private Double value(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        return g == null ? null : g.value();
    }

    @Test
    void latestCompleteStepWinsWhateverTheOrderAndPartialReportsOnlyMoveProgress() {
        gauges.update(List.of(
                report("a", 3000, true, 1.0, 0.70, 0.40),
                report("a", 1000, true, 1.0, 0.50, 0.30),
                report("a", 4000, false, 0.25, 0.99, 0.99),  // partial, newest: progress only
                report("a", 2000, true, 1.0, 0.60, 0.35)), List.of());

        assertEquals(0.70, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "perception", "level", "ability"));
        assertEquals(0.40, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "reasoning", "level", "ability"));
        assertEquals(0.20, value(MetricNames.ABILITY_ACCURACY, "run", "a", "ability", "reasoning"), 1e-12);
        assertEquals(0.35, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "spatial_reasoning", "level", "fine"), 1e-12);
        assertEquals(0.40, value(MetricNames.TASK_SDS, "run", "a", "task", "mathvista"));
        assertEquals(3000.0, value(MetricNames.LATEST_STEP, "run", "a"));
        assertEquals(3_000_000.0, value(MetricNames.LATEST_TOKENS, "run", "a"));
        assertEquals(0.30, value(MetricNames.ABILITY_GAP, "run", "a"), 1e-12);
        assertEquals(0.25, value(MetricNames.EVALUATION_PROGRESS, "run", "a"));
    }

    @Test
    void gaugesFollowUpdatesAndPartialOnlyRunsHaveProgressOnly() {
        gauges.update(List.of(report("a", 1000, true, 1.0, 0.5, 0.3), report("b", 500, false, 0.5, 0.9, 0.9)), List.of());
        assertEquals(0.5, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "perception"));
        assertNull(value(MetricNames.ABILITY_SDS, "run", "b", "ability", "perception"));
        assertNull(value(MetricNames.LATEST_STEP, "run", "b"));
        assertEquals(0.5, value(MetricNames.EVALUATION_PROGRESS, "run", "b"));

        // b completes, a gets a newer complete step: both runs move independently.
        gauges.update(List.of(report("a", 1000, true, 1.0, 0.5, 0.3), report("a", 2000, true, 1.0, 0.55, 0.31),
                report("b", 500, true, 1.0, 0.8, 0.2)), List.of());
        assertEquals(0.55, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "perception"));
        assertEquals(2000.0, value(MetricNames.LATEST_STEP, "run", "a"));
        assertEquals(0.8, value(MetricNames.ABILITY_SDS, "run", "b", "ability", "perception"));
        assertEquals(500.0, value(MetricNames.LATEST_STEP, "run", "b"));
        assertEquals(1.0, value(MetricNames.EVALUATION_PROGRESS, "run", "b"));

        // A run that is gone from the state is gone from /metrics.
        gauges.update(List.of(report("b", 500, true, 1.0, 0.8, 0.2)), List.of());
        assertNull(value(MetricNames.LATEST_STEP, "run", "a"));
        assertEquals(500.0, value(MetricNames.LATEST_STEP, "run", "b"));
    }

    @Test
    void stagnationFollowsTheLatestAlertPerRunAndAbility() {
        var reports = List.of(report("a", 5000, true, 1.0, 0.7, 0.4), report("b", 5000, true, 1.0, 0.7, 0.4));
        gauges.update(reports, List.of());
        assertEquals(0.0, value(MetricNames.STAGNATION, "run", "a", "ability", "reasoning"));

        gauges.update(reports, List.of(alert("a", "reasoning", 5000, AlertKind.STAGNATION),
                alert("b", "reasoning", 3000, AlertKind.STAGNATION)));
        assertEquals(1.0, value(MetricNames.STAGNATION, "run", "a", "ability", "reasoning"));
        assertEquals(0.0, value(MetricNames.STAGNATION, "run", "a", "ability", "perception"));
        assertEquals(1.0, value(MetricNames.STAGNATION, "run", "b", "ability", "reasoning"));

        // b recovers later; alerts arrive out of order.
        gauges.update(reports, List.of(alert("b", "reasoning", 4000, AlertKind.RECOVERY),
                alert("a", "reasoning", 5000, AlertKind.STAGNATION), alert("b", "reasoning", 3000, AlertKind.STAGNATION)));
        assertEquals(0.0, value(MetricNames.STAGNATION, "run", "b", "ability", "reasoning"));
        assertEquals(1.0, value(MetricNames.STAGNATION, "run", "a", "ability", "reasoning"));
    }

    @Test
    void valuesSurviveGarbageCollection() {
        gauges.update(List.of(report("a", 1000, true, 1.0, 0.5, 0.3)), List.of());
        System.gc();
        assertEquals(0.5, value(MetricNames.ABILITY_SDS, "run", "a", "ability", "perception"));
        assertEquals(1000.0, value(MetricNames.LATEST_STEP, "run", "a"));
    }
}
