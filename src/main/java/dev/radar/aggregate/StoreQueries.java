package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@link AbilityQueries} over the topology's stores, however they are obtained: a running KafkaStreams instance
 * or a TopologyTestDriver. A lookup returning null means "not queryable now" and yields empty answers; a lookup that
 * throws instead (an {@code InvalidStateStoreException}) fails the query, for callers that must tell "empty" from
 * "not queryable".
 */
public final class StoreQueries implements AbilityQueries {
    private final Function<String, ReadOnlyKeyValueStore<String, ?>> lookup;

    public StoreQueries(Function<String, ReadOnlyKeyValueStore<String, ?>> lookup) {
        this.lookup = lookup;
    }

    @SuppressWarnings("unchecked")
    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return (ReadOnlyKeyValueStore<String, V>) lookup.apply(name);
    }

    @Override
    public List<String> runs() {
        ReadOnlyKeyValueStore<String, AbilityReport> reports = store(AggregatorTopology.REPORT_STORE);
        TreeSet<String> runs = new TreeSet<>();
        if (reports != null) {
            try (KeyValueIterator<String, AbilityReport> it = reports.all()) {
                it.forEachRemaining(kv -> runs.add(kv.value.getRunId()));
            }
        }
        ReadOnlyKeyValueStore<String, List<DeadLetter>> failures = store(AggregatorTopology.FAILURE_STORE);
        if (failures != null) {
            try (KeyValueIterator<String, List<DeadLetter>> it = failures.all()) {
                it.forEachRemaining(kv -> runs.add(kv.key));
            }
        }
        return List.copyOf(runs);
    }

    @Override
    public List<AbilityReport> reports(String runId) {
        ReadOnlyKeyValueStore<String, AbilityReport> reports = store(AggregatorTopology.REPORT_STORE);
        List<AbilityReport> out = new ArrayList<>();
        if (reports != null) {
            // Keys are runId/step/version; the prefix may also match a run id that itself continues with "/".
            try (KeyValueIterator<String, AbilityReport> it = reports.prefixScan(runId + "/", new StringSerializer())) {
                it.forEachRemaining(kv -> {
                    if (kv.value.getRunId().equals(runId)) {
                        out.add(kv.value);
                    }
                });
            }
        }
        out.sort(Comparator.comparingLong(AbilityReport::getStep).thenComparing(AbilityReport::getBenchmarkVersion));
        return out;
    }

    /** Every evaluation of the run in these stores (see {@link EvaluationHistory}). */
    public List<AbilityReport> history(String runId) {
        return EvaluationHistory.of(store(AggregatorTopology.HISTORY_STORE), runId);
    }

    @Override
    public Map<String, List<CurvePoint>> curves(String runId) {
        ReadOnlyKeyValueStore<String, RunCurves> curves = store(AggregatorTopology.CURVE_STORE);
        RunCurves run = curves == null ? null : curves.get(runId);
        Map<String, List<CurvePoint>> out = new TreeMap<>();
        if (run == null || run.latestVersion == null) {
            return out;
        }
        // points is a TreeMap by step, so each list comes out ordered by step.
        run.versions.get(run.latestVersion).points.values().forEach(c ->
                c.abilities().forEach((ability, p) -> out.computeIfAbsent(ability, a -> new ArrayList<>()).add(p)));
        return out;
    }

    @Override
    public Optional<String> curvesVersion(String runId) {
        ReadOnlyKeyValueStore<String, RunCurves> curves = store(AggregatorTopology.CURVE_STORE);
        RunCurves run = curves == null ? null : curves.get(runId);
        return Optional.ofNullable(run == null ? null : run.latestVersion);
    }

    @Override
    public List<DeadLetter> failures(String runId) {
        ReadOnlyKeyValueStore<String, List<DeadLetter>> failures = store(AggregatorTopology.FAILURE_STORE);
        List<DeadLetter> list = failures == null ? null : failures.get(runId);
        return list == null ? List.of() : List.copyOf(list);
    }

    @Override
    public List<AbilityAlert> alerts(String runId) {
        ReadOnlyKeyValueStore<String, List<AbilityAlert>> alerts = store(AggregatorTopology.ALERT_STORE);
        List<AbilityAlert> recent = alerts == null ? null : alerts.get(runId);
        return recent == null ? List.of() : List.copyOf(recent);
    }
}
