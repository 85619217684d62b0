package dev.radar.aggregate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The macro-average rule, written once for the live reports ({@link CheckpointState}) and the command-line summary
 * ({@code radar score}): members (tasks, or a source's categories) are grouped by a name, and a group's mean is the
 * plain mean of its scored members' means, so every scored member weighs the same however many samples it has.
 * Members with no scored sample add their sample and failure counts to the group but no mean.
 *
 * @param name    the group's name (an ability, a source)
 * @param members every member of the group
 * @param scored  the members with at least one scored sample, whose means are averaged
 */
public record MacroAverage<T>(String name, List<T> members, List<T> scored) {

    /** One group per name, sorted by name; members whose name is null or blank belong to no group. */
    public static <T> List<MacroAverage<T>> groups(Collection<T> members, Function<T, String> nameOf,
                                                   Predicate<T> isScored) {
        Map<String, List<T>> byName = new TreeMap<>();
        for (T m : members) {
            String name = nameOf.apply(m);
            if (name != null && !name.isBlank()) {
                byName.computeIfAbsent(name, k -> new ArrayList<>()).add(m);
            }
        }
        List<MacroAverage<T>> out = new ArrayList<>();
        byName.forEach((name, ms) -> out.add(new MacroAverage<>(name, List.copyOf(ms),
                ms.stream().filter(isScored).toList())));
        return out;
    }

    /** The mean of {@code value} over the scored members; NaN when none is scored. */
    public double mean(ToDoubleFunction<T> value) {
        double sum = 0;
        for (T m : scored) {
            sum += value.applyAsDouble(m);
        }
        return scored.isEmpty() ? Double.NaN : sum / scored.size();
    }

    /**
     * The standard error of {@link #mean}, the members' means being independent: sqrt(sum of their squared
     * standard errors) / number of scored members.
     */
    public double stderrOfMean(ToDoubleFunction<T> stderr) {
        double var = 0;
        for (T m : scored) {
            double se = stderr.applyAsDouble(m);
            var += se * se;
        }
        return scored.isEmpty() ? Double.NaN : Math.sqrt(var) / scored.size();
    }

    /** The sum of {@code count} over all members, scored or not (samples, expected samples, failures). */
    public int total(ToIntFunction<T> count) {
        return members.stream().mapToInt(count).sum();
    }

    /** The sum of {@code count} over the scored members only. */
    public int totalScored(ToIntFunction<T> count) {
        return scored.stream().mapToInt(count).sum();
    }
}
