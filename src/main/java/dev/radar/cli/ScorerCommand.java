package dev.radar.cli;

import dev.radar.app.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "scorer", mixinStandardHelpOptions = true,
        description = {"Run a scoring worker (one per GPU) in the consumer group on radar.shard-tasks.",
                "Each shard's SampleScores and its offset commit form one Kafka transaction: all or nothing."})
public final class ScorerCommand implements Callable<Integer> {

    @Option(names = "--device", description = "cpu, gpu or gpu:N (key scoring.device; default cpu).")
    String device;

    @Option(names = "--dtype", description = "float32, bfloat16 or float16 (key scoring.dtype; default: the model's).")
    String dtype;

    @Option(names = "--strategy", description = "packed or per-candidate (key scoring.strategy; default packed).")
    String strategy;

    @Option(names = "--id", description = "Worker id (key scorer.id; default host-pid).")
    String id;

    @Mixin
    KafkaOption kafkaOption;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put("scoring.device", device);
        explicit.put("scoring.dtype", dtype);
        explicit.put("scoring.strategy", strategy);
        explicit.put("scorer.id", id);
        var props = kafkaOption.applyTo(config.load(explicit));
        return Foreground.run(props, Set.of(Role.SCORER));
    }
}
