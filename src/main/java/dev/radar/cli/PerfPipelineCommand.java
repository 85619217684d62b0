package dev.radar.cli;

import dev.radar.demo.DemoConfig;
import dev.radar.perf.PipelinePerf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code radar perf pipeline}: see {@link PipelinePerf}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "The whole path (embedded broker, planner, scorer, aggregator) against scoring alone on the same "
                + "checkpoints and benchmark, in one run: samples/s of each, ratio, model loads, model idle time.")
public final class PerfPipelineCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--checkpoints", defaultValue = "2", paramLabel = "N", description = "Checkpoints published back to back (default ${DEFAULT-VALUE}).")
    int checkpoints;

    @Option(names = "--checkpoints-dir", paramLabel = "DIR", description = "Checkpoint packages (default: ${DEFAULT-VALUE}).")
    Path checkpointsDir = DemoConfig.DEFAULT_CHECKPOINTS;

    @Option(names = "--samples", defaultValue = "64", paramLabel = "N", description = "Synthetic samples per task, 8 tasks (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--samples-per-shard", paramLabel = "N", description = "planner.samples.per.shard for this run (the demo uses 8; default: the planner's sizing by cost).")
    Integer samplesPerShard;

    @Option(names = "--repetitions", defaultValue = "3", paramLabel = "N", description = "Alternating (alone, pipeline) measurements (default ${DEFAULT-VALUE}).")
    int repetitions;

    @Override
    public Integer call() throws Exception {
        new PipelinePerf(new PipelinePerf.Options(checkpointsDir, checkpoints, samples, samplesPerShard, repetitions),
                config.load(), System.out).run();
        return 0;
    }
}
