package dev.radar.scoring.worker;

import dev.radar.Service;
import dev.radar.events.ShardTask;
import dev.radar.kafka.ConsumerLoop;
import dev.radar.kafka.KafkaSettings;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.djl.ScoringEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/**
 * A scoring worker in the consumer group on radar.shard-tasks (one per GPU): its lifecycle and wiring. The work is
 * split by responsibility: {@link PollLoop} fetches tasks and commits them, {@link TaskBuffer} chooses the next task
 * (a checkpoint's shards together), {@link ShardPipeline} prepares the next shard while the model scores the current
 * one, {@link ShardTransactions} writes each outcome and its offset in one Kafka transaction, {@link ScoreEvents}
 * maps results to SampleScores, {@link ScorerMetrics} holds the meters.
 *
 * <p>A crash at any point leaves all of a shard's scores or none; the next owner of the partition rescoring it. A
 * shard that fails (checkpoint cannot be loaded, model error) is re-queued with attempt+1, and dead-lettered with
 * the reason after {@code scorer.max.attempts}.
 */
public final class ScorerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

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
    private final Function<Path, Scorer> loader;
    private final Runnable runtimeCheck;
    private final ScorerMetrics metrics;
    private volatile SendHook sendHook = (t, n) -> { };
    /** Why models cannot be loaded here (set by the start-up check), or null. */
    private volatile String runtimeProblem;
    private volatile boolean runtimeChecked;
    private final ConsumerLoop loop;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final MeterRegistry meters;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();

    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters) {
        this(kafka, config, meters, dir -> ScoringEngine.open(dir, config.scoring()),
                () -> ScoringEngine.checkRuntime(config.scoring()));
    }

    /**
     * @param runtimeCheck run once at start, before joining the group: throws if no checkpoint could be loaded here
     *                     (see {@link ScoringEngine#checkRuntime})
     */
    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters, Function<Path, Scorer> loader,
                         Runnable runtimeCheck) {
        this.kafka = kafka;
        this.config = config;
        this.loop = new ConsumerLoop("radar-" + config.scorerId(), 30_000);
        this.loader = loader;
        this.runtimeCheck = runtimeCheck;
        this.metrics = new ScorerMetrics(meters);
        this.meters = meters;
    }

    public void setSendHook(SendHook hook) {
        this.sendHook = hook;
    }

    @Override
    public String name() {
        return ScorerMetrics.COMPONENT + ":" + config.scorerId();
    }

    public String scorerId() {
        return config.scorerId();
    }

    /** True once the worker loop has ended (stopped, crashed or failed). */
    public boolean isStopped() {
        return loop.finished();
    }

    /** The poll loop is alive: started and not ended by a failure, a fence or stop(). */
    @Override
    public boolean healthy() {
        return loop.alive();
    }

    /**
     * Ready to score: the loop is alive, models can be loaded here (the start-up check of the engine on
     * scoring.device and of scoring.architectures passed) and the consumer is a member of the group (a rebalance
     * completed with it; a member with no partitions, as when scorers outnumber partitions, is ready too).
     */
    @Override
    public String notReadyReason() {
        if (!loop.alive()) {
            return loop.notReadyReason(config.groupId());
        }
        String problem = runtimeProblem;
        if (problem != null) {
            return "cannot load models, so it takes no shard tasks: " + problem;
        }
        if (!runtimeChecked) {
            return "checking that models load on scoring.device " + config.scoring().device();
        }
        return loop.notReadyReason(config.groupId());
    }

    @Override
    public synchronized void start() {
        if (loop.running()) {
            return;
        }
        Properties cp = kafka.consumer(config.groupId(), config.scorerId());
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.fetchMaxTasks()));
        consumer = new KafkaConsumer<>(config.membership(cp));
        bindClientMetrics(new KafkaClientMetrics(consumer)); // lag per partition of radar.shard-tasks
        loop.start(consumer, this::run);
    }

    /** Graceful stop: shards in progress are abandoned uncommitted (another scorer rescoring them) and the group left. */
    @Override
    public synchronized void stop() {
        loop.stop();
    }

    private void run() {
        Properties pp = kafka.transactionalProducer(config.scorerId(), "radar-scorer-" + config.scorerId());
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(config.transactionTimeoutMs()));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
        bindClientMetrics(new KafkaClientMetrics(producer));
        ModelCache models = new ModelCache(config.modelCacheSize(), loader, metrics.modelLoad());
        ShardPipeline pipeline = new ShardPipeline(config.scorerId(), models, config.checkpoints(), metrics, this::wakePoll);
        boolean crashed = false;
        try {
            if (!modelsLoadable()) {
                awaitStop();
                return;
            }
            producer.initTransactions();
            new PollLoop(consumer, new ShardTransactions(producer, consumer, config, metrics, () -> sendHook), pipeline,
                    config, metrics, loop::running, loop::member).run();
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
            loop.ended();
            pipeline.close();
            if (crashed) {
                // As a killed process: the open transaction is neither committed nor aborted.
                producer.close(Duration.ZERO);
                closeQuietly(Duration.ZERO);
            } else {
                producer.close(Duration.ofSeconds(5));
                closeQuietly(Duration.ofSeconds(5));
            }
            models.close();
            synchronized (clientMetrics) {
                clientMetrics.forEach(KafkaClientMetrics::close);
                clientMetrics.clear();
            }
            LOG.info("scorer {} stopped", config.scorerId());
        }
    }

    /**
     * The start-up check. A scorer that cannot load models stays alive but not ready and out of the group: joining
     * would make it take shards only to fail them (each dead-lettered after scorer.max.attempts), and a restart does
     * not bring a GPU or a folder back; /health/ready says why.
     */
    private boolean modelsLoadable() {
        try {
            runtimeCheck.run();
            return true;
        } catch (RuntimeException e) {
            runtimeProblem = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("scorer {} cannot load models and stays out of group {} (not ready): {}", config.scorerId(),
                    config.groupId(), runtimeProblem);
            return false;
        } finally {
            runtimeChecked = true;
        }
    }

    /** Idles until stop() clears the running flag, without taking part in the group. */
    private void awaitStop() {
        while (loop.running()) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void bindClientMetrics(KafkaClientMetrics binder) {
        binder.bindTo(meters);
        synchronized (clientMetrics) {
            clientMetrics.add(binder);
        }
    }

    /** Called by the scoring thread when a shard is done: the paused poll ends now, not at scorer.poll.ms. */
    private void wakePoll() {
        if (loop.running()) {
            consumer.wakeup();
        }
    }

    private void closeQuietly(Duration timeout) {
        try {
            consumer.close(timeout);
        } catch (WakeupException e) {
            // a last wake-up from the scoring thread; close again without it
            consumer.close(timeout);
        }
    }
}
