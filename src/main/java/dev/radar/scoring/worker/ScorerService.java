package dev.radar.scoring.worker;

import dev.radar.Service;
import dev.radar.events.ShardTask;
import dev.radar.kafka.ConsumerLoops;
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
    private final ScorerMetrics metrics;
    private volatile SendHook sendHook = (t, n) -> { };
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final MeterRegistry meters;
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();

    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters) {
        this(kafka, config, meters, dir -> ScoringEngine.open(dir, config.scoring()));
    }

    public ScorerService(KafkaSettings kafka, ScorerConfig config, MeterRegistry meters, Function<Path, Scorer> loader) {
        this.kafka = kafka;
        this.config = config;
        this.loader = loader;
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
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.fetchMaxTasks()));
        consumer = new KafkaConsumer<>(config.membership(cp));
        bindClientMetrics(new KafkaClientMetrics(consumer)); // lag per partition of radar.shard-tasks
        running = true;
        thread = new Thread(this::run, "radar-" + config.scorerId());
        thread.start();
    }

    /** Graceful stop: shards in progress are abandoned uncommitted (another scorer rescoring them) and the group left. */
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
        bindClientMetrics(new KafkaClientMetrics(producer));
        ModelCache models = new ModelCache(config.modelCacheSize(), loader, metrics.modelLoad());
        ShardPipeline pipeline = new ShardPipeline(config.scorerId(), models, config.checkpoints(), metrics, this::wakePoll);
        boolean crashed = false;
        try {
            producer.initTransactions();
            new PollLoop(consumer, new ShardTransactions(producer, consumer, config, metrics, () -> sendHook), pipeline,
                    config, metrics, () -> running).run();
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

    private void bindClientMetrics(KafkaClientMetrics binder) {
        binder.bindTo(meters);
        synchronized (clientMetrics) {
            clientMetrics.add(binder);
        }
    }

    /** Called by the scoring thread when a shard is done: the paused poll ends now, not at scorer.poll.ms. */
    private void wakePoll() {
        if (running) {
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
