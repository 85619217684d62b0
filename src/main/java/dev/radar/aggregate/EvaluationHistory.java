package dev.radar.aggregate;

import dev.radar.events.AbilityReport;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every evaluation of a run, the step's current one and those it replaced (a re-evaluation replaces the earlier
 * report once complete; the earlier stays here): the latest report of each, from the history store.
 */
public final class EvaluationHistory {
    private EvaluationHistory() {
    }

    /** The run's evaluations ordered by step, benchmark version, then evaluation id; empty when the store is null. */
    public static List<AbilityReport> of(ReadOnlyKeyValueStore<String, AbilityReport> history, String runId) {
        List<AbilityReport> out = new ArrayList<>();
        if (history == null) {
            return out;
        }
        // Keys are runId/step/version/evaluationId; the prefix may also match a run id that continues with "/".
        try (KeyValueIterator<String, AbilityReport> it = history.prefixScan(runId + "/", new StringSerializer())) {
            it.forEachRemaining(kv -> {
                if (kv.value.getRunId().equals(runId)) {
                    out.add(kv.value);
                }
            });
        }
        out.sort(Comparator.comparingLong(AbilityReport::getStep).thenComparing(AbilityReport::getBenchmarkVersion)
                .thenComparing(AbilityReport::getEvaluationId));
        return out;
    }
}
