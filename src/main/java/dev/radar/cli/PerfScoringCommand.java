package dev.radar.cli;

import dev.radar.perf.ScoringPerf;
import dev.radar.scoring.ScoringConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code radar perf scoring}: see {@link ScoringPerf}. */
@Command(name = "scoring", mixinStandardHelpOptions = true,
        description = "Measures scoring throughput of both strategies on a synthetic benchmark (generated to a temp dir).")
public final class PerfScoringCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--samples", defaultValue = "64", paramLabel = "N", description = "Samples scored per strategy (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--model", paramLabel = "DIR", description = "Scoring package (default: the last tiny-mllm checkpoint).")
    Path model;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N", description = "Alternating timed rounds per strategy; the best is kept (default ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        ScoringPerf.run(new ScoringPerf.Options(model, samples, rounds), ScoringConfig.from(config.load()),
                spec.commandLine().getOut());
        return 0;
    }
}
