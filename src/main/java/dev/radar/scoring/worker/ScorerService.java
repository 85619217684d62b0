package dev.radar.scoring.worker;

import dev.radar.Service;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.bench.TaskAbility;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import dev.radar.kafka.ConsumerLoops;
import dev.radar.kafka.DeadLetters;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.metrics.MetricNames;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A scoring worker in the consumer group on radar.shard-tasks (one per GPU).
 *
 * <p>Per shard task: pause the partitions and keep polling while the shard is scored on a worker thread (so a long
 * shard never exceeds max.poll.interval.ms and triggers a rebalance), then, in ONE Kafka transaction, write the
 * shard's SampleScores and commit the task's offset. A crash at any point leaves all of a shard's scores or none;
 * the next owner of the partition rescoring it. A shard that fails (checkpoint cannot be loaded, model error) is
 * re-queued with attempt+1, and dead-lettered with the reason after {@code scorer.max.attempts}.
 */
public final class ScorerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);
    private static final String COMPONENT = "scorer";

    /** Fault injection for tests: called after each SampleScore is sent inside the open transaction. */
    @FunctionalInterface
    public interface SendHook {
        void afterSend(ShardTask task, int sentInShard);
    }

    /** Thrown by a {@link SendHook} to stop the worker as a crash would: no commit, no abort, no goodbye. */
    public static final class SimulatedCrash extends RuntimeException {
        public SimulatedCrash(String message) {
            super(message);
        }
    }

    private final KafkaSettings kafka;
    private final ScorerConfig config;
    private final MeterRegistry meters;
    private final Function<Path, Scorer> loader;
    private volatile SendHook sendHook = (t, n) -> { };
    private volatile boolean running;
    private volatile boolean crashed;
    private volatile TopicPartition busyPartition;
    private volatile boolean busyRevoked;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;

    private final Counter samplesScored;
    private final Counter samplesFailed;
    private final Timer shardLatency;
    private final DistributionSummary samplesPerSecond;

    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters) {
        this(kafka, config, meters, dir -> ScoringEngine.open(dir, config.scoring()));
    }

    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters, Function<Path, Scorer> loader) {
        this.kafka = kafka;
        this.config = config;
        this.meters = meters;
        this.loader = loader;
        this.samplesScored = Counter.builder(MetricNames.SCORER_SAMPLES).tag("result", "scored").register(meters);
        this.samplesFailed = Counter.builder(MetricNames.SCORER_SAMPLES).tag("result", "failed").register(meters);
        this.shardLatency = Timer.builder(MetricNames.SCORER_SHARD_LATENCY).description("Shard wall time, load to commit")
                // Micrometer's default histogram stops at 30 s; a real model's shard (and its load) takes minutes.
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1)).register(meters);
        this.samplesPerSecond = DistributionSummary.builder(MetricNames.SCORER_SHARD_THROUGHPUT)
                .description("Samples per second of each shard").baseUnit(MetricNames.THROUGHPUT_UNIT).register(meters);
    }

    public void setSendHook(SendHook hook) {
        this.sendHook = hook;
    }

    @Override
    public String name() {
        return COMPONENT + ":" + config.scorerId();
    }

    public String scorerId() {
        return config.scorerId();
    }

    /** True once the worker loop has ended (stopped, crashed or failed). */
    public boolean isStopped() {
        return thread != null && !thread.isAlive();
    }

    /** The poll loop is alive: started and not ended by a failure, a fence or stop(). */
    @Override
    public boolean healthy() {
        return running && thread != null && thread.isAlive();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        Properties cp = kafka.consumer(config.groupId(), config.scorerId());
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        consumer = new KafkaConsumer<>(cp);
        running = true;
        thread = new Thread(this::run, "radar-" + config.scorerId());
        thread.start();
    }

    /** Graceful stop: the shard in progress is abandoned uncommitted (another scorer rescoring it) and the group left. */
    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        ConsumerLoops.stop(consumer, thread, 30_000);
    }

    private void run() {
        Properties pp = kafka.transactionalProducer(config.scorerId(), "radar-scorer-" + config.scorerId());
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(config.transactionTimeoutMs()));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "radar-" + config.scorerId() + "-score"));
        ModelCache models = new ModelCache(config.modelCacheSize(), loader, meters);
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(Topics.SHARD_TASKS.name()), new Rebalance());
            LOG.info("scorer {} waiting for shard tasks", config.scorerId());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : poll()) {
                    process(r, producer, worker, models);
                    if (!running) {
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        } catch (SimulatedCrash e) {
            crashed = true;
            LOG.warn("scorer {} crashed (simulated): {}", config.scorerId(), e.getMessage());
        } catch (ProducerFencedException e) {
            LOG.error("scorer {} fenced by a newer instance with the same id; stopping", config.scorerId());
        } catch (RuntimeException e) {
            LOG.error("scorer {} failed", config.scorerId(), e);
        } finally {
            running = false;
            worker.shutdownNow();
            if (crashed) {
                // As a killed process: the open transaction is neither committed nor aborted.
                producer.close(Duration.ZERO);
                consumer.close(Duration.ZERO);
            } else {
                producer.close(Duration.ofSeconds(5));
                consumer.close(Duration.ofSeconds(5));
            }
            models.close();
            LOG.info("scorer {} stopped", config.scorerId());
        }
    }

    private void process(ConsumerRecord<byte[], byte[]> r, KafkaProducer<byte[], byte[]> producer,
                         ExecutorService worker, ModelCache models) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        TopicSpec<String, ShardTask> in = Topics.SHARD_TASKS;
        ShardTask task;
        try {
            task = in.decodeValue(r.value());
        } catch (KafkaException e) {
            commit(producer, tp, r.offset(), p -> deadLetter(p, r, null, "undecodable-shard-task", e.getMessage()));
            return;
        }
        long t0 = System.nanoTime();
        busyPartition = tp;
        busyRevoked = false;
        consumer.pause(consumer.assignment());
        ShardOutcome outcome;
        try {
            Future<ShardOutcome> future = worker.submit(() -> {
                try {
                    return scoreShard(task, models);
                } finally {
                    // End the paused poll below now rather than at its timeout: the shard's commit and the next
                    // shard must not wait up to scorer.poll.ms (measured: every shard took >= 205 ms).
                    consumer.wakeup();
                }
            });
            // Keep polling while paused: heartbeats and max.poll.interval stay satisfied, rebalances are seen.
            while (!future.isDone()) {
                poll();
                if (!running) {
                    future.cancel(true);
                    LOG.info("scorer {} stopping: shard {} abandoned uncommitted", config.scorerId(), label(task));
                    return;
                }
            }
            outcome = future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            outcome = ShardOutcome.failure("scoring-failed", String.valueOf(e.getCause()));
        } finally {
            busyPartition = null;
            consumer.resume(consumer.assignment());
        }
        if (busyRevoked) {
            LOG.warn("partition {} was reassigned while scoring shard {}; leaving it to its new owner", tp, label(task));
            return;
        }
        ShardOutcome done = outcome;
        commit(producer, tp, r.offset(), p -> publish(p, r, task, done));
        long nanos = System.nanoTime() - t0;
        shardLatency.record(nanos, TimeUnit.NANOSECONDS);
        if (done.scores != null) {
            samplesPerSecond.record(done.scores.size() / Math.max(1e-9, nanos / 1e9));
            LOG.info("scored shard {}: {} samples in {} ms ({} failed)", label(task), done.scores.size(),
                    nanos / 1_000_000, done.scores.stream().filter(s -> s.getFailure() != null).count());
        }
    }

    /**
     * One poll of at most scorer.poll.ms. A wakeup while running is the worker saying its shard is done (or a late
     * one from an earlier shard): it only ends this poll. A wakeup after stop() ends the loop.
     */
    private ConsumerRecords<byte[], byte[]> poll() {
        try {
            return consumer.poll(Duration.ofMillis(config.pollMs()));
        } catch (WakeupException e) {
            if (!running) {
                throw e;
            }
            return ConsumerRecords.empty();
        }
    }

    /** Writes a shard's outcome and commits its offset in one transaction; on error the shard is redelivered. */
    private void commit(KafkaProducer<byte[], byte[]> producer, TopicPartition tp, long offset,
                        java.util.function.Consumer<KafkaProducer<byte[], byte[]>> writes) {
        producer.beginTransaction();
        try {
            writes.accept(producer);
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(offset + 1)), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (SimulatedCrash | ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("transaction for {}@{} aborted ({}); the task will be redelivered", tp, offset, e.toString());
            producer.abortTransaction();
            if (consumer.assignment().contains(tp)) {
                consumer.seek(tp, offset);
            }
        }
    }

    private void publish(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, ShardTask task,
                         ShardOutcome outcome) {
        if (outcome.scores != null) {
            TopicSpec<String, SampleScore> out = Topics.SAMPLE_SCORES;
            byte[] key = out.keySerde().serializer().serialize(out.name(), EventKeys.checkpoint(task.getRunId(), task.getStep()));
            int sent = 0;
            for (SampleScore s : outcome.scores) {
                p.send(new ProducerRecord<>(out.name(), key, out.valueSerde().serializer().serialize(out.name(), s)));
                sendHook.afterSend(task, ++sent);
            }
            return;
        }
        if (task.getAttempt() + 1 < config.maxAttempts()) {
            ShardTask retry = ShardTask.newBuilder(task).setAttempt(task.getAttempt() + 1).build();
            TopicSpec<String, ShardTask> t = Topics.SHARD_TASKS;
            LOG.warn("shard {} failed (attempt {} of {}): {}: {}; re-queued", label(task), task.getAttempt() + 1,
                    config.maxAttempts(), outcome.reason, outcome.detail);
            p.send(new ProducerRecord<>(t.name(), r.key(), t.valueSerde().serializer().serialize(t.name(), retry)));
            meters.counter(MetricNames.SCORER_SHARD_RETRIES).increment();
        } else {
            deadLetter(p, r, task, outcome.reason, outcome.detail + " (after " + config.maxAttempts() + " attempts)");
        }
    }

    private ShardOutcome scoreShard(ShardTask task, ModelCache models) {
        Path checkpoint;
        Scorer scorer;
        try {
            checkpoint = CheckpointValidator.toPath(task.getCheckpointUri());
            // The planner's rule again: the folder may have been replaced (or a symlink redirected) since.
            var rejected = config.checkpoints().checkCheckpoint(checkpoint);
            if (rejected.isPresent()) {
                return ShardOutcome.failure(rejected.get().reason(), "checkpoint " + checkpoint + ": " + rejected.get().detail());
            }
            scorer = models.get(checkpoint);
        } catch (RuntimeException e) {
            return ShardOutcome.failure("checkpoint-load-failed", "checkpoint " + task.getCheckpointUri() + ": " + e.getMessage());
        }
        Benchmark.Shard shard;
        try {
            shard = Benchmark.loadShard(Path.of(task.getBenchmarkUri()), task.getBenchmarkVersion(), task.getShardIndex(),
                    task.getShardCount());
        } catch (RuntimeException e) {
            return ShardOutcome.failure("benchmark-shard-unreadable", "shard " + label(task) + ": " + e.getMessage());
        }
        List<SampleResult> results;
        try {
            results = scorer.score(shard.samples(), (done, total) -> LOG.debug("shard {}: {}/{}", label(task), done, total));
        } catch (RuntimeException e) {
            return ShardOutcome.failure("scoring-failed", "shard " + label(task) + ": " + e.getMessage());
        }
        List<SampleScore> scores = new ArrayList<>(results.size());
        long now = System.currentTimeMillis();
        for (int i = 0; i < results.size(); i++) {
            SampleResult res = results.get(i);
            BenchSample sample = shard.samples().get(i);
            TaskAbility ability = shard.abilityOf(sample.task());
            (res.success() ? samplesScored : samplesFailed).increment();
            scores.add(SampleScore.newBuilder()
                    .setEvaluationId(task.getEvaluationId()).setRunId(task.getRunId()).setStep(task.getStep())
                    .setTokensSeen(task.getTokensSeen()).setBenchmarkVersion(task.getBenchmarkVersion())
                    .setTask(sample.task()).setSource(ability.source()).setAbility(ability.ability())
                    .setFineAbility(ability.fineAbility()).setSampleId(sample.id()).setShardIndex(task.getShardIndex())
                    .setSds(res.success() ? res.sds() : 0.0).setCorrect(res.correct())
                    .setLlCorrect(res.llCorrect()).setLlNormCorrect(res.llNormCorrect())
                    .setCandidateMeanLogits(Arrays.stream(res.meanLogits()).boxed().toList())
                    .setCandidateTokenCounts(Arrays.stream(res.tokenCounts()).boxed().toList())
                    .setFailure(res.failure()).setScorerId(config.scorerId()).setScoreMillis(res.millis())
                    .setScoredAtMs(now).setPromptRules(scorer.promptRulesVersion()).build());
        }
        return ShardOutcome.success(scores);
    }

    private void deadLetter(KafkaProducer<byte[], byte[]> p, ConsumerRecord<byte[], byte[]> r, ShardTask task,
                            String reason, String detail) {
        var letter = DeadLetters.of(COMPONENT, r, reason, detail);
        if (task != null) {
            letter.setRunId(task.getRunId());
            letter.setStep(task.getStep());
            letter.setEvaluationId(task.getEvaluationId());
        }
        DeadLetters.send(p, task == null ? null : EventKeys.checkpoint(task.getRunId(), task.getStep()), letter);
        meters.counter(MetricNames.DEAD_LETTERS, "component", COMPONENT, "reason", reason).increment();
    }

    private static String label(ShardTask t) {
        return t.getEvaluationId() + "#" + t.getShardIndex() + "/" + t.getShardCount();
    }

    private record ShardOutcome(List<SampleScore> scores, String reason, String detail) {
        static ShardOutcome success(List<SampleScore> scores) {
            return new ShardOutcome(scores, null, null);
        }

        static ShardOutcome failure(String reason, String detail) {
            return new ShardOutcome(null, reason, detail);
        }
    }

    /** Pauses partitions assigned mid-shard and notes when the shard's own partition is taken away. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            TopicPartition busy = busyPartition;
            if (busy != null && partitions.contains(busy)) {
                busyRevoked = true;
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (busyPartition != null) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
