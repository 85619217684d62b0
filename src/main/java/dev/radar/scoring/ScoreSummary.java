package dev.radar.scoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    /** Macro-average of groups (e.g. tasks of one ability): each group weighs the same. */
    public static List<Group> macro(List<Group> groups, Function<String, String> parentOf) {
        Map<String, List<Group>> parents = new LinkedHashMap<>();
        for (Group g : groups) {
            parents.computeIfAbsent(parentOf.apply(g.name()), k -> new ArrayList<>()).add(g);
        }
        List<Group> out = new ArrayList<>();
        new TreeMap<>(parents).forEach((p, gs) -> {
            List<Group> ok = gs.stream().filter(g -> g.samples() > g.failed()).toList();
            out.add(new Group(p, gs.stream().mapToInt(Group::samples).sum(), gs.stream().mapToInt(Group::failed).sum(),
                    ok.stream().mapToDouble(Group::sds).average().orElse(Double.NaN),
                    ok.stream().mapToDouble(Group::accuracy).average().orElse(Double.NaN),
                    ok.stream().mapToDouble(Group::llAccuracy).average().orElse(Double.NaN),
                    ok.stream().mapToDouble(Group::llNormAccuracy).average().orElse(Double.NaN)));
        });
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
