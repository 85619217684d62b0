package dev.radar.scoring.worker;

import dev.radar.events.ShardTask;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The scorer's poll thread: fetches shard tasks into the {@link TaskBuffer}, keeps the {@link ShardPipeline} fed
 * ({@link #DEPTH} tasks: one committing, one scoring, one being prepared), and commits finished tasks in submission
 * order with {@link ShardTransactions}. It keeps polling throughout, so a long shard never exceeds
 * max.poll.interval.ms, and the scoring thread wakes its poll as soon as a shard is scored.
 */
final class PollLoop implements ConsumerRebalanceListener {
    private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);
    /** Tasks in the pipeline at once: the one being committed, the one on the model, the next one being prepared. */
    static final int DEPTH = 3;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ShardTransactions transactions;
    private final ShardPipeline pipeline;
    private final ScorerConfig config;
    private final ScorerMetrics metrics;
    private final BooleanSupplier running;
    private final Consumer<Boolean> membership;
    private final TaskBuffer buffer = new TaskBuffer();
    private final ArrayDeque<ShardPipeline.InFlight> inFlight = new ArrayDeque<>();
    private String lastCheckpoint;
    private boolean paused;

    PollLoop(KafkaConsumer<byte[], byte[]> consumer, ShardTransactions transactions, ShardPipeline pipeline,
             ScorerConfig config, ScorerMetrics metrics, BooleanSupplier running, Consumer<Boolean> membership) {
        this.consumer = consumer;
        this.transactions = transactions;
        this.pipeline = pipeline;
        this.config = config;
        this.metrics = metrics;
        this.running = running;
        this.membership = membership;
    }

    /** Runs until stopped (WakeupException) or a fatal error; the caller closes the clients. */
    void run() {
        consumer.subscribe(List.of(Topics.SHARD_TASKS.name()), this);
        LOG.info("scorer {} waiting for shard tasks", config.scorerId());
        while (running.getAsBoolean()) {
            commitFinished();
            feedPipeline();
            pauseWhileFull();
            fetch();
        }
    }

    private void commitFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome.isDone()) {
            ShardPipeline.InFlight f = inFlight.removeFirst();
            if (f.discarded) {
                continue;
            }
            if (!transactions.commit(f.fetched, f.outcome.join())) {
                rewind(f.partition(), f.fetched.record().offset());
            }
        }
    }

    private void feedPipeline() {
        while (inFlight.size() < DEPTH) {
            TaskBuffer.Fetched next = buffer.next(lastCheckpoint);
            if (next == null) {
                return;
            }
            if (next.task() != null) {
                lastCheckpoint = next.checkpoint();
            }
            inFlight.addLast(pipeline.submit(next));
        }
    }

    /** Stops fetching while scorer.fetch.max.tasks tasks wait; polls go on (heartbeats, rebalances). */
    private void pauseWhileFull() {
        boolean full = buffer.size() >= config.fetchMaxTasks();
        if (full != paused) {
            if (full) {
                consumer.pause(consumer.assignment());
            } else {
                consumer.resume(consumer.assignment());
            }
            paused = full;
        }
    }

    /**
     * One poll of at most scorer.poll.ms. A wakeup while running is the scoring thread saying a shard is done (or a
     * late one from an earlier shard): it only ends this poll. A wakeup after stop() ends the loop.
     */
    private void fetch() {
        long t0 = System.nanoTime();
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(config.pollMs()));
        } catch (WakeupException e) {
            if (!running.getAsBoolean()) {
                throw e;
            }
            return;
        }
        if (records.isEmpty() && System.nanoTime() - t0 >= config.pollMs() * 1_000_000L && stalledCommit(t0)) {
            metrics.stalledPoll();
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            try {
                ShardTask task = Topics.SHARD_TASKS.decodeValue(r.value());
                buffer.add(r, task, null);
            } catch (KafkaException e) {
                buffer.add(r, null, e.getMessage());
            }
        }
    }

    /**
     * Whether a poll that started at {@code pollStart} and ran to its timeout kept a scored shard from its commit: the
     * shard was ready well before the timeout (a wake-up arriving in the last tenth may find the poll already ending,
     * which is no stall).
     */
    private boolean stalledCommit(long pollStart) {
        ShardPipeline.InFlight head = inFlight.peekFirst();
        long done = head == null ? 0 : head.doneNanos;
        return done != 0 && !head.discarded && done < pollStart + config.pollMs() * 900_000L;
    }

    /** After an aborted transaction: forget what was fetched after the task and fetch from it again. */
    private void rewind(TopicPartition tp, long offset) {
        forget(List.of(tp));
        if (consumer.assignment().contains(tp)) {
            consumer.seek(tp, offset);
        }
    }

    /** Fetched and in-flight tasks of these partitions are left to the partitions' next owner (or next fetch). */
    private void forget(Collection<TopicPartition> partitions) {
        buffer.drop(partitions);
        for (ShardPipeline.InFlight f : inFlight) {
            if (partitions.contains(f.partition()) && !f.discarded) {
                f.discarded = true;
                LOG.info("shard {} of {} left uncommitted (partition revoked or rewound)",
                        f.fetched.task() == null ? "?" : ScoreEvents.label(f.fetched.task()), f.partition());
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // The generation is still valid here: commit what is already scored rather than leave it to be rescored.
        commitFinished();
        forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        membership.accept(false); // the group moved on without this member (session expired, fenced)
        forget(partitions);
    }

    /** Called after every completed rebalance, with no partitions too: an idle member of the group is still one. */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        membership.accept(true);
        if (paused) {
            consumer.pause(partitions);
        }
    }
}
