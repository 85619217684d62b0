package dev.radar.cli;

import dev.radar.bench.BenchProblem;
import dev.radar.bench.Benchmark;
import dev.radar.bench.TaskAbility;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code radar bench-info DIR}: what a benchmark holds, its version, and every problem met reading it. */
@Command(name = "bench-info", mixinStandardHelpOptions = true,
        description = {"Show an M3-Bench benchmark: tasks with ability, fine ability and sample counts, totals per "
                + "ability, the content version, and every skipped question with its reason.",
                "Exit code 0 even when problems are listed; non-zero when the folder cannot be read."})
public final class BenchInfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Benchmark root folder (one folder per source).")
    Path dir;

    @Override
    public Integer call() {
        Benchmark b = Benchmark.load(dir);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Benchmark %s (%s)%n", b.name(), b.root());
        out.printf("Version   %s%n", b.version());
        out.printf("Taxonomy  %s from %s%n%n", b.taxonomy().version(), b.taxonomy().origin());
        out.printf("%-48s %-11s %-28s %7s%n", "TASK", "ABILITY", "FINE ABILITY", "SAMPLES");
        Map<String, Integer> byAbility = new TreeMap<>();
        Map<String, Integer> byFine = new TreeMap<>();
        b.countsByTask().forEach((task, n) -> {
            TaskAbility a = b.taxonomy().abilityOf(task);
            out.printf("%-48s %-11s %-28s %7d%n", task, a.ability(), a.fineAbility(), n);
            byAbility.merge(a.ability(), n, Integer::sum);
            byFine.merge(a.ability() + "/" + a.fineAbility(), n, Integer::sum);
        });
        out.println();
        byAbility.forEach((a, n) -> out.printf("Total %-40s %7d%n", a, n));
        byFine.forEach((a, n) -> out.printf("  %-44s %7d%n", a, n));
        out.printf("Samples %d in %d tasks%n", b.samples().size(), b.countsByTask().size());
        out.printf("Skipped for more than 12 images: %d%n", b.skippedTooManyImages());
        out.printf("Problems: %d%n", b.problems().size());
        for (BenchProblem p : b.problems()) {
            out.printf("  %s\t%s\t%s%n", p.file(), p.questionId().isEmpty() ? "-" : p.questionId(), p.message());
        }
        out.flush();
        return 0;
    }
}
