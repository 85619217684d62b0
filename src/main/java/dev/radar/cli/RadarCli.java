package dev.radar.cli;

import dev.radar.FatalErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code radar} command line; each capability contributes its subcommands. */
@Command(name = "radar",
        mixinStandardHelpOptions = true,
        version = "radar 0.1.0",
        description = "RADAR: streaming evaluation of multimodal LLM pre-training checkpoints with the Soft Discrimination Score.",
        subcommands = {
                CommandLine.HelpCommand.class,
                BrokerCommand.class,
                PublishCommand.class,
                PlannerCommand.class,
                ScorerCommand.class,
                BenchInfoCommand.class,
                BenchGenCommand.class,
                BenchImportCommand.class,
                SdsCommand.class,
                AggregatorCommand.class,
                DemoCommand.class,
                ScoreCommand.class,
                PerfCommand.class,
                WatchCommand.class,
        })
public final class RadarCli implements Runnable {

    public static void main(String[] args) {
        FatalErrors.install();
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        return new CommandLine(new RadarCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new CliErrors())
                .execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
