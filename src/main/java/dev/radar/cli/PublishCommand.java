package dev.radar.cli;

import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish a CheckpointSaved event: what a training job calls after saving a checkpoint.",
                "The event is checked first (non-negative step, usable URI) and sent with acks=all."})
public final class PublishCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, description = "Training run id.")
    String runId;

    @Option(names = "--step", required = true, description = "Optimizer step of the checkpoint (>= 0).")
    long step;

    @Option(names = "--checkpoint", required = true, paramLabel = "URI",
            description = "The scoring model package of this checkpoint: a local path or file: URI.")
    String checkpoint;

    @Option(names = "--tokens", paramLabel = "N", description = "Training tokens seen at this step.")
    Long tokensSeen;

    @Option(names = "--benchmark", defaultValue = "m3-bench",
            description = "Benchmark to evaluate on, as configured on the planner (default: ${DEFAULT-VALUE}).")
    String benchmark;

    @Option(names = "--format", defaultValue = "radar-torchscript", description = "Model package format (default: ${DEFAULT-VALUE}).")
    String modelFormat;

    @Option(names = "--reevaluate", description = "Evaluate again even if this run/step/benchmark version was already evaluated.")
    boolean reevaluate;

    @Option(names = "--attr", paramLabel = "KEY=VALUE", description = "Free-form attribute (repeatable), e.g. --attr data_mix=web70.")
    Map<String, String> attributes = new LinkedHashMap<>();

    @Mixin
    KafkaOption kafkaOption;

    @Mixin
    ConfigOption config;

    /**
     * A relative path is resolved here, where the user meant it; sent as is, the planner resolved it against its own
     * working folder. URIs ({@code file:...}) pass unchanged.
     */
    static String absolute(String checkpoint) {
        if (checkpoint.contains(":")) {
            return checkpoint;
        }
        return java.nio.file.Path.of(checkpoint).toAbsolutePath().normalize().toString();
    }

    @Override
    public Integer call() throws Exception {
        CheckpointSaved event = CheckpointSaved.newBuilder()
                .setRunId(runId).setStep(step).setCheckpointUri(absolute(checkpoint)).setTokensSeen(tokensSeen)
                .setBenchmark(benchmark).setModelFormat(modelFormat).setReevaluate(reevaluate)
                .setAttributes(Map.copyOf(attributes)).setPublishedAtMs(System.currentTimeMillis()).build();
        KafkaSettings kafka = new KafkaSettings(kafkaOption.applyTo(config.load()));
        TopicAdmin.requireReachable(kafka);  // one line within startup.timeout.ms, not a minute of retries
        try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, "radar-publish")) {
            RecordMetadata md = publisher.publish(event);
            System.out.printf("published %s step %d -> %s partition %d offset %d%n",
                    runId, step, md.topic(), md.partition(), md.offset());
            return 0;
        }
    }
}
