package dev.radar.cli;

import dev.radar.app.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "planner", mixinStandardHelpOptions = true,
        description = {"Run the planner: consume radar.checkpoints, validate each event (bad ones go to radar.dead-letters",
                "with the reason), fix the benchmark version and emit EvaluationPlanned + one ShardTask per shard."})
public final class PlannerCommand implements Callable<Integer> {

    @Option(names = "--benchmark", paramLabel = "NAME=DIR",
            description = "Benchmark folder by name (repeatable), e.g. --benchmark m3-bench=/data/m3bench; same as key benchmarks.NAME.path.")
    Map<String, String> benchmarks = new LinkedHashMap<>();

    @Mixin
    KafkaOption kafkaOption;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> explicit = new LinkedHashMap<>();
        benchmarks.forEach((name, dir) -> explicit.put("benchmarks." + name + ".path", dir));
        var props = kafkaOption.applyTo(config.load(explicit));
        return Foreground.run(props, Set.of(Role.PLANNER));
    }
}
