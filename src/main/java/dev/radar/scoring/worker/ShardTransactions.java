package dev.radar.scoring.worker;

import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import dev.radar.kafka.DeadLetters;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One Kafka transaction per fetched task: its outcome (the shard's SampleScores, a re-queued task, or a dead letter)
 * and the task's offset commit. A crash at any point leaves all of it or none. Poll thread only.
 */
final class ShardTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(ShardTransactions.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ScorerConfig config;
    private final ScorerMetrics metrics;
    private final Supplier<ScorerService.SendHook> sendHook;

    ShardTransactions(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer, ScorerConfig config,
                      ScorerMetrics metrics, Supplier<ScorerService.SendHook> sendHook) {
        this.producer = producer;
        this.consumer = consumer;
        this.config = config;
        this.metrics = metrics;
        this.sendHook = sendHook;
    }

    /** Commits the task's outcome with its offset; false if the transaction was aborted (the task must be re-fetched). */
    boolean commit(TaskBuffer.Fetched fetched, ShardOutcome outcome) {
        ConsumerRecord<byte[], byte[]> r = fetched.record();
        TopicPartition tp = fetched.partition();
        List<SampleScore> scores = outcome instanceof ShardOutcome.Scored s
                ? ScoreEvents.of(fetched.task(), s, config.scorerId(), System.currentTimeMillis()) : null;
        producer.beginTransaction();
        try {
            if (scores != null) {
                sendScores(fetched.task(), scores);
            } else if (outcome instanceof ShardOutcome.Failed f) {
                retryOrDeadLetter(r, fetched.task(), f);
            } else if (outcome instanceof ShardOutcome.Undecodable u) {
                deadLetter(r, null, "undecodable-shard-task", u.detail());
            }
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ScorerService.SimulatedCrash | ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("transaction for {}@{} aborted ({}); the task will be fetched again", tp, r.offset(), e.toString());
            producer.abortTransaction();
            return false;
        }
        if (outcome instanceof ShardOutcome.Scored s) {
            long nanos = System.nanoTime() - s.startedNanos();
            s.results().forEach(res -> metrics.sample(res.success()));
            metrics.shardCommitted(scores.size(), nanos);
            LOG.info("scored shard {}: {} samples in {} ms ({} failed)", ScoreEvents.label(fetched.task()), scores.size(),
                    nanos / 1_000_000, scores.stream().filter(x -> x.getFailure() != null).count());
        }
        return true;
    }

    private void sendScores(ShardTask task, List<SampleScore> scores) {
        String key = EventKeys.checkpoint(task.getRunId(), task.getStep());
        ScorerService.SendHook hook = sendHook.get();
        int sent = 0;
        for (SampleScore s : scores) {
            producer.send(Topics.SAMPLE_SCORES.record(key, s));
            hook.afterSend(task, ++sent);
        }
    }

    private void retryOrDeadLetter(ConsumerRecord<byte[], byte[]> r, ShardTask task, ShardOutcome.Failed failure) {
        if (task.getAttempt() + 1 < config.maxAttempts()) {
            ShardTask retry = ShardTask.newBuilder(task).setAttempt(task.getAttempt() + 1).build();
            TopicSpec<String, ShardTask> t = Topics.SHARD_TASKS;
            LOG.warn("shard {} failed (attempt {} of {}): {}: {}; re-queued", ScoreEvents.label(task), task.getAttempt() + 1,
                    config.maxAttempts(), failure.reason(), failure.detail());
            producer.send(t.record(t.keySerde().deserializer().deserialize(t.name(), r.key()), retry));
            metrics.retry();
        } else {
            deadLetter(r, task, failure.reason(), failure.detail() + " (after " + config.maxAttempts() + " attempts)");
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, ShardTask task, String reason, String detail) {
        var letter = DeadLetters.of(ScorerMetrics.COMPONENT, r, reason, detail);
        if (task != null) {
            letter.setRunId(task.getRunId());
            letter.setStep(task.getStep());
            letter.setEvaluationId(task.getEvaluationId());
        }
        DeadLetters.send(producer, task == null ? null : EventKeys.checkpoint(task.getRunId(), task.getStep()), letter);
        metrics.deadLetter(reason);
    }
}
