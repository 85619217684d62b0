package dev.radar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code radar perf ...}: performance measurements of RADAR's own components ("bench-*" commands handle benchmark data). */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Performance measurements of RADAR components (the harnesses are in dev.radar.perf).",
        subcommands = {PerfScoringCommand.class, PerfAggregateCommand.class, PerfPipelineCommand.class})
public final class PerfCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
