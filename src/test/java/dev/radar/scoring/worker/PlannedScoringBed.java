package dev.radar.scoring.worker;

import dev.radar.bench.SyntheticBenchmark;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.Topics;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the scorer tests on a real broker start from: a broker of their own (so no other test's shard tasks reach
 * their scorers), the synthetic benchmark and a running planner that splits each published checkpoint of the tiny
 * TorchScript model into shards. One per test class; {@link #close} stops the planner, then the broker.
 */
final class PlannedScoringBed implements AutoCloseable {
    /** 8 synthetic tasks of 3 samples: 24 samples a checkpoint. */
    static final int SAMPLES_PER_TASK = 3;
    static final int SAMPLES_PER_CHECKPOINT = 8 * SAMPLES_PER_TASK;
    static final int SAMPLES_PER_SHARD = 4;
    /** The tiny model's seven snapshots, step-000000 to step-000450. */
    static final Path CHECKPOINTS = Path.of("models/tiny-mllm/checkpoints").toAbsolutePath();

    private final EmbeddedKafkaBroker broker;
    private final RadarProperties props;
    private final PlannerService planner;

    private PlannedScoringBed(EmbeddedKafkaBroker broker, RadarProperties props, PlannerService planner) {
        this.broker = broker;
        this.props = props;
        this.planner = planner;
    }

    /** Starts the broker and the planner; the benchmark is written under {@code dir}; {@code extra} adds settings. */
    static PlannedScoringBed start(Path dir, Map<String, String> extra) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        broker.start();
        try {
            Path bench = dir.resolve("bench");
            SyntheticBenchmark.generate(bench, SAMPLES_PER_TASK, 11);
            Map<String, String> settings = new HashMap<>(Map.of(
                    KafkaSettings.BOOTSTRAP, broker.bootstrapServers(),
                    "benchmarks.m3-bench.path", bench.toString(),
                    "planner.samples.per.shard", String.valueOf(SAMPLES_PER_SHARD)));
            settings.putAll(extra);
            RadarProperties props = RadarProperties.of(settings);
            TopicAdmin.ensureTopics(new KafkaSettings(props));
            PlannerService planner = new PlannerService(new KafkaSettings(props), PlannerConfig.from(props),
                    new SimpleMeterRegistry());
            planner.start();
            return new PlannedScoringBed(broker, props, planner);
        } catch (RuntimeException | Error e) {
            broker.stop();
            throw e;
        }
    }

    RadarProperties properties() {
        return props;
    }

    KafkaSettings settings() {
        return new KafkaSettings(props);
    }

    /** A scorer (not started) with the bed's settings, {@code scorer.id} = {@code id}, and {@code extra}. */
    ScorerService scorer(String id, Map<String, String> extra, MeterRegistry meters) {
        RadarProperties p = props.with("scorer.id", id).with(extra);
        return new ScorerService(new KafkaSettings(p), ScorerConfig.from(p), meters);
    }

    /** Publishes a training job's CheckpointSaved for {@code run} at {@code step}, keyed run/step. */
    void publish(String run, long step, Path checkpoint) {
        var t = Topics.CHECKPOINTS;
        try (var producer = new KafkaProducer<>(settings().producer("test"), t.keySerde().serializer(),
                t.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(t.name(), run + "/" + step, CheckpointSaved.newBuilder().setRunId(run)
                    .setStep(step).setCheckpointUri(checkpoint.toString()).build()));
        }
    }

    @Override
    public void close() {
        try {
            planner.stop();
        } finally {
            broker.stop();
        }
    }
}
