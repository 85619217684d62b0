package dev.radar.cli;

import dev.radar.RadarException;
import picocli.CommandLine;

/** Prints RADAR's typed errors as one clear line (no stack trace); anything unexpected keeps its trace. */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (ex instanceof RadarException || ex instanceof IllegalArgumentException) {
            cmd.getErr().println("radar " + cmd.getCommandName() + ": " + ex.getMessage());
            return 2;
        }
        ex.printStackTrace(cmd.getErr());
        return 1;
    }
}
