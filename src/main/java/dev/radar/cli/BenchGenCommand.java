package dev.radar.cli;

import dev.radar.bench.Benchmark;
import dev.radar.bench.SyntheticBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code radar bench-gen}: writes the synthetic benchmark used by the demo and the tests. */
@Command(name = "bench-gen", mixinStandardHelpOptions = true,
        description = "Generate the synthetic benchmark (M3-Bench layout, folder 'synthetic') under DIR; "
                + "the same seed always gives the same files and version.")
public final class BenchGenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Benchmark root to write into.")
    Path out;

    @Option(names = "--samples", defaultValue = "50", paramLabel = "N", description = "Questions per task (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Benchmark b = SyntheticBenchmark.generate(out, samples, seed);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("Wrote %s/%s: %d tasks x %d samples (seed %d)%n", b.root(), SyntheticBenchmark.FOLDER,
                SyntheticBenchmark.tasks().size(), samples, seed);
        b.countsByTask().forEach((task, n) -> w.printf("  %-24s %d%n", task, n));
        w.printf("Version %s%n", b.version());
        w.flush();
        return 0;
    }
}
