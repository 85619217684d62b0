package dev.radar.planner;

import dev.radar.Service;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.ShardTask;
import dev.radar.kafka.ConsumerLoop;
import dev.radar.kafka.DeadLetters;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Consumes radar.checkpoints and, per event, produces either an EvaluationPlanned plus its ShardTasks or a dead
 * letter, in one Kafka transaction with the consumed offset: an event is planned exactly once even across crashes.
 */
public final class PlannerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerService.class);
    private static final String COMPONENT = "planner";

    private final KafkaSettings kafka;
    private final PlannerConfig config;
    private final Planner planner;
    private final MeterRegistry meters;
    private final ConsumerLoop loop = new ConsumerLoop("radar-planner", 15_000);
    private KafkaConsumer<byte[], byte[]> consumer;

    public PlannerService(KafkaSettings kafka, PlannerConfig config, MeterRegistry meters) {
        this.kafka = kafka;
        this.config = config;
        this.planner = new Planner(config);
        this.meters = meters == null ? Metrics.globalRegistry : meters;
    }

    @Override
    public String name() {
        return COMPONENT;
    }

    /** The poll loop is alive: started and not ended by a failure, a fence or stop(). */
    @Override
    public boolean healthy() {
        return loop.alive();
    }

    /**
     * Ready to plan: the loop is alive and the consumer is a member of the group (a rebalance completed with it; a
     * standby planner with no partition of radar.checkpoints is ready too).
     */
    @Override
    public String notReadyReason() {
        return loop.notReadyReason(config.groupId());
    }

    @Override
    public synchronized void start() {
        if (loop.running()) {
            return;
        }
        TopicAdmin.ensureTopics(kafka);
        int known = replayEvaluations();
        LOG.info("planner: {} evaluations already planned", known);
        consumer = new KafkaConsumer<>(kafka.consumer(config.groupId(), "radar-planner"));
        loop.start(consumer, this::run);
    }

    @Override
    public synchronized void stop() {
        loop.stop();
    }

    /** Reads radar.evaluations from the start so re-published checkpoints are recognised after a restart. */
    private int replayEvaluations() {
        TopicSpec<String, EvaluationPlanned> t = Topics.EVALUATIONS;
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer("unused", "radar-planner-replay"))) {
            List<TopicPartition> parts = t.readFromBeginning(c);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        planner.remember(t.decodeValue(r.value()));
                        n++;
                    } catch (KafkaException e) {
                        LOG.warn("skipping unreadable evaluation record {}@{}: {}", r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        }
        return n;
    }

    private void run() {
        String txId = config.props().get("planner.transactional.id", "radar-planner-" + config.groupId());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.transactionalProducer("radar-planner", txId))) {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.CHECKPOINTS.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // still a member: a rebalance in progress is no reason to look unready
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    loop.member(false);
                }

                /** Called after every completed rebalance, with no partitions too. */
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    loop.member(true);
                }
            });
            while (loop.running()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    processBatch(producer, records);
                }
            }
        } catch (WakeupException e) {
            if (loop.running()) {
                LOG.error("planner woken unexpectedly", e);
            }
        } catch (ProducerFencedException | AuthorizationException e) {
            LOG.error("planner stopped: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("planner loop failed", e);
        } finally {
            loop.ended();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void processBatch(KafkaProducer<byte[], byte[]> producer, ConsumerRecords<byte[], byte[]> records) {
        List<EvaluationPlanned> plannedInBatch = new ArrayList<>();
        producer.beginTransaction();
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                handle(producer, r, plannedInBatch);
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
                offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            plannedInBatch.forEach(e -> LOG.info("planned {} ({} samples in {} shards, benchmark {} {})",
                    e.getEvaluationId(), e.getExpectedSamples(), e.getShardCount(), e.getBenchmark(),
                    EventKeys.shortVersion(e.getBenchmarkVersion())));
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("planner transaction aborted, will retry the batch: {}", e.toString());
            producer.abortTransaction();
            plannedInBatch.forEach(planner::forget);
            rewind(records);
        }
    }

    private void handle(KafkaProducer<byte[], byte[]> producer, ConsumerRecord<byte[], byte[]> r,
                        List<EvaluationPlanned> plannedInBatch) {
        TopicSpec<String, CheckpointSaved> in = Topics.CHECKPOINTS;
        CheckpointSaved event;
        try {
            event = in.decodeValue(r.value());
        } catch (KafkaException e) {
            deadLetter(producer, r, null, "undecodable-event", e.getMessage());
            return;
        }
        Planner.Outcome outcome;
        try {
            outcome = planner.plan(event);
        } catch (RuntimeException e) {
            outcome = new Planner.Rejected("planning-failed", e.toString());
        }
        if (outcome instanceof Planner.Planned p) {
            send(producer, Topics.EVALUATIONS, EventKeys.checkpoint(event.getRunId(), event.getStep()), p.evaluation());
            for (ShardTask task : p.shards()) {
                send(producer, Topics.SHARD_TASKS, EventKeys.shard(task.getEvaluationId(), task.getShardIndex()), task);
            }
            plannedInBatch.add(p.evaluation());
            meters.counter(MetricNames.PLANNER_EVALUATIONS, "outcome", "planned").increment();
        } else if (outcome instanceof Planner.Duplicate d) {
            LOG.info("checkpoint {} step {} already evaluated as {}; publish with reevaluate=true to evaluate again",
                    event.getRunId(), event.getStep(), d.evaluationId());
            meters.counter(MetricNames.PLANNER_EVALUATIONS, "outcome", "duplicate").increment();
        } else if (outcome instanceof Planner.Rejected rej) {
            deadLetter(producer, r, event, rej.reason(), rej.detail());
        }
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> producer, ConsumerRecord<byte[], byte[]> r,
                            CheckpointSaved event, String reason, String detail) {
        var letter = DeadLetters.of(COMPONENT, r, reason, detail);
        if (event != null) {
            letter.setRunId(event.getRunId());
            letter.setStep(event.getStep());
        }
        DeadLetters.send(producer, event == null ? null : EventKeys.checkpoint(event.getRunId(), event.getStep()), letter);
        meters.counter(MetricNames.DEAD_LETTERS, "component", COMPONENT, "reason", reason).increment();
        meters.counter(MetricNames.PLANNER_EVALUATIONS, "outcome", "rejected").increment();
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(topic.record(key, value));
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, Long> first = records.partitions().stream()
                .collect(Collectors.toMap(tp -> tp, tp -> records.records(tp).get(0).offset()));
        first.forEach(consumer::seek);
    }
}
