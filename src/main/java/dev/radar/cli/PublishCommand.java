package dev.radar.cli;

import dev.radar.RadarException;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EventKeys;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.planner.CheckpointValidator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

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

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap.servers from config, else localhost:9092).")
    String bootstrap;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        CheckpointSaved event = CheckpointSaved.newBuilder()
                .setRunId(runId).setStep(step).setCheckpointUri(checkpoint).setTokensSeen(tokensSeen)
                .setBenchmark(benchmark).setModelFormat(modelFormat).setReevaluate(reevaluate)
                .setAttributes(Map.copyOf(attributes)).setPublishedAtMs(System.currentTimeMillis()).build();
        new CheckpointValidator(List.of()).check(event).ifPresent(r -> {
            throw new RadarException(r.reason() + ": " + r.detail());
        });
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put(KafkaSettings.BOOTSTRAP, bootstrap);
        KafkaSettings settings = new KafkaSettings(config.load(explicit));
        TopicSpec<String, CheckpointSaved> topic = Topics.CHECKPOINTS;
        Properties props = settings.common("radar-publish");
        props.put(ProducerConfig.ACKS_CONFIG, "all");  // a lost checkpoint event is a lost evaluation
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        try (var producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic.name(), EventKeys.checkpoint(runId, step), event))
                    .get(45, TimeUnit.SECONDS);
            System.out.printf("published %s step %d -> %s partition %d offset %d%n",
                    runId, step, md.topic(), md.partition(), md.offset());
            return 0;
        } catch (ExecutionException e) {
            throw new RadarException("could not publish to " + settings.bootstrapServers() + ": " + e.getCause().getMessage(), e);
        }
    }
}
