package dev.radar.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Means of SDS and accuracies over groups of results, for command-line reports (the live per-ability curves are
 * the aggregator's job). Failed samples are counted, not averaged.
 */
public final class ScoreSummary {

    /** Means over one group's successful samples. */
    public record Group(String name, int samples, int failed, double sds, double accuracy, double llAccuracy,
                        double llNormAccuracy) {
    }

    private ScoreSummary() {
    }

    /** One group per key (sorted), e.g. per task. */
    public static List<Group> byKey(List<SampleResult> results, Function<SampleResult, String> key) {
        Map<String, List<SampleResult>> groups = new TreeMap<>();
        for (SampleResult r : results) {
            groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        List<Group> out = new ArrayList<>();
        groups.forEach((k, v) -> out.add(of(k, v)));
        return out;
    }

    public static Group of(String name, List<SampleResult> results) {
        List<SampleResult> ok = results.stream().filter(SampleResult::success).toList();
        return new Group(name, results.size(), results.size() - ok.size(),
                ok.stream().mapToDouble(SampleResult::sds).average().orElse(Double.NaN),
                ok.stream().mapToDouble(r -> r.correct() ? 1 : 0).average().orElse(Double.NaN),
                ok.stream().mapToDouble(r -> r.llCorrect() ? 1 : 0).average().orElse(Double.NaN),
                ok.stream().mapToDouble(r -> r.llNormCorrect() ? 1 : 0).average().orElse(Double.NaN));
    }
}
