package dev.radar.cli;

import picocli.CommandLine.Command;

/** {@code radar bench ...}: performance measurements of RADAR's own components. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Performance measurements of RADAR components.",
        subcommands = {BenchScoringCommand.class, BenchAggregateCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
