package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only view of the aggregator's state, for the web API and the Prometheus metrics. Answers from the stores of
 * this instance (all partitions when a single instance runs); empty while the stores are not queryable yet.
 */
public interface AbilityQueries {

    /** Run ids that have at least one report or failed checkpoint, sorted. */
    List<String> runs();

    /** Latest report of every (step, benchmark version) of the run, ordered by step then version. */
    List<AbilityReport> reports(String runId);

    /**
     * Ability curves of the run's completed checkpoints, for the benchmark version completed last: ability name
     * (perception, reasoning and fine abilities) to points ordered by step.
     */
    Map<String, List<CurvePoint>> curves(String runId);

    /** Benchmark version of {@link #curves}: the version completed last; empty without a complete checkpoint. */
    Optional<String> curvesVersion(String runId);

    /**
     * Failed checkpoints of the run: the dead letters naming it (planner, watcher, web, scorer), the latest per step,
     * component and reason, without their raw bytes; a step that later completed is no longer listed.
     */
    List<DeadLetter> failures(String runId);

    /** Recent stagnation and recovery alerts of the run, oldest first. */
    List<AbilityAlert> alerts(String runId);

    /** The complete report with the highest step (the latest update among versions at that step). */
    default Optional<AbilityReport> latestComplete(String runId) {
        return reports(runId).stream()
                .filter(AbilityReport::getComplete)
                .max(Comparator.comparingLong(AbilityReport::getStep).thenComparingLong(AbilityReport::getUpdatedAtMs));
    }
}
