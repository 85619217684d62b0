package dev.radar.kafka;

import dev.radar.RadarException;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.events.EventKeys;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes CheckpointSaved events, checked first, acknowledged by all replicas: the one way every event source
 * (CLI, HTTP API, folder watcher, demo) reaches radar.checkpoints.
 */
public final class CheckpointPublisher implements AutoCloseable {

    private final KafkaProducer<String, CheckpointSaved> producer;
    private final String bootstrap;
    private final CheckpointValidator validator = new CheckpointValidator(List.of());
    private final Properties props;
    /** For rejections only; created on the first one. */
    private KafkaProducer<byte[], byte[]> deadLetterProducer;

    public CheckpointPublisher(KafkaSettings settings, String clientId) {
        TopicSpec<String, CheckpointSaved> topic = Topics.CHECKPOINTS;
        Properties props = settings.common(clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all"); // a lost checkpoint event is a lost evaluation
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        this.producer = new KafkaProducer<>(props, topic.keySerde().serializer(), topic.valueSerde().serializer());
        this.bootstrap = settings.bootstrapServers();
        this.props = props;
    }

    /**
     * Writes the dead letter of an event rejected before publishing (e.g. by the HTTP API), keyed like the event, so
     * that the rejection shows per run and step like one the planner made. Waits for the acknowledgement.
     */
    public synchronized void deadLetter(String runId, long step, DeadLetter letter) {
        if (deadLetterProducer == null) {
            deadLetterProducer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        DeadLetters.send(deadLetterProducer, EventKeys.checkpoint(runId, step), letter);
        deadLetterProducer.flush();
    }

    /**
     * Validates and publishes; returns once the broker acknowledged.
     *
     * @throws RadarException with the validation reason, or when the broker cannot be reached
     */
    public RecordMetadata publish(CheckpointSaved event) {
        validator.check(event).ifPresent(r -> {
            throw new RadarException(r.reason() + ": " + r.detail());
        });
        if (event.getPublishedAtMs() == 0) {
            event.setPublishedAtMs(System.currentTimeMillis());
        }
        try {
            return producer.send(new ProducerRecord<>(Topics.CHECKPOINTS.name(),
                    EventKeys.checkpoint(event.getRunId(), event.getStep()), event)).get(45, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new RadarException("could not publish to " + bootstrap + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new RadarException("could not publish to " + bootstrap + ": no acknowledgement in 45 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while publishing", e);
        }
    }

    @Override
    public void close() {
        producer.close();
        synchronized (this) {
            if (deadLetterProducer != null) {
                deadLetterProducer.close();
            }
        }
    }
}
