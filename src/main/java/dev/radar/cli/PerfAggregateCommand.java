package dev.radar.cli;

import dev.radar.perf.AggregatePerf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code radar perf aggregate}: see {@link AggregatePerf}. */
@Command(name = "aggregate", mixinStandardHelpOptions = true,
        description = "Benchmark the aggregator on an embedded broker: throughput vs a plain consumer and vs a decode-only Kafka Streams app, and report latency.")
public final class PerfAggregateCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--samples", defaultValue = "500000", description = "Measured SampleScores in the backlog (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--warmup", defaultValue = "200000", description = "SampleScores read before the measured ones, by both readers (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--per-checkpoint", defaultValue = "1000", description = "Samples per checkpoint (default ${DEFAULT-VALUE}).")
    int perCheckpoint;

    @Option(names = "--runs", defaultValue = "4", description = "Training runs the checkpoints belong to (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--tasks", defaultValue = "8", description = "Tasks per checkpoint, half perception, half reasoning (default ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--live-checkpoints", defaultValue = "40", description = "Checkpoints produced live for the latency phase (default ${DEFAULT-VALUE}).")
    int liveCheckpoints;

    @Option(names = "--live-rate", defaultValue = "10000", description = "SampleScores/s produced in the latency phase (default ${DEFAULT-VALUE}).")
    int liveRate;

    @Override
    public Integer call() throws Exception {
        new AggregatePerf(new AggregatePerf.Options(samples, warmup, perCheckpoint, runs, tasks, liveCheckpoints, liveRate),
                config.load(), System.out).run();
        return 0;
    }
}
