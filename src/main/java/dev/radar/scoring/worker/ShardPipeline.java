package dev.radar.scoring.worker;

import dev.radar.bench.Benchmark;
import dev.radar.events.ShardTask;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.scoring.ProgressListener;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.Scorer;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Two stages behind the poll thread, one thread each, so that the model never waits for Kafka, files or a
 * transaction: a preparing thread reads the next shard's samples (task files, plan index) while the scoring thread
 * runs the current one through the model; the poll thread meanwhile commits the shard before. Stages keep the order
 * of submission, and the poll thread commits in that order, so each partition's offsets are committed in order.
 * The scoring thread alone touches the model cache.
 */
final class ShardPipeline implements AutoCloseable {

    /** A task handed to the pipeline, until the poll thread has committed or discarded it. */
    static final class InFlight {
        final TaskBuffer.Fetched fetched;
        final CompletableFuture<ShardOutcome> outcome;
        /** Its partition was revoked or rewound: the outcome must not be committed (poll thread only). */
        boolean discarded;
        /** When the outcome was ready (System.nanoTime), 0 before. */
        volatile long doneNanos;

        InFlight(TaskBuffer.Fetched fetched, CompletableFuture<ShardOutcome> outcome) {
            this.fetched = fetched;
            this.outcome = outcome;
        }

        TopicPartition partition() {
            return fetched.partition();
        }
    }

    /** A task's checkpoint folder and samples, read ahead; or why not. */
    private record Prepared(Path checkpoint, Benchmark.Shard shard, ShardOutcome.Failed failure) {
    }

    private final ModelCache models;
    private final CheckpointValidator checkpoints;
    private final ScorerMetrics metrics;
    private final Runnable onScored;
    private final ExecutorService preparing;
    private final ExecutorService scoring;
    /** End of the last shard on the scoring thread (0 before the first); scoring thread only. */
    private long lastShardEndNanos;

    /**
     * @param checkpoints the planner's rule, checked again before loading: the folder may have changed since
     * @param onScored    runs on the scoring thread after each shard (it wakes the poll thread to commit)
     */
    ShardPipeline(String scorerId, ModelCache models, CheckpointValidator checkpoints, ScorerMetrics metrics,
                  Runnable onScored) {
        this.checkpoints = checkpoints;
        this.models = models;
        this.metrics = metrics;
        this.onScored = onScored;
        this.preparing = Executors.newSingleThreadExecutor(r -> daemon(r, "radar-" + scorerId + "-prepare"));
        this.scoring = Executors.newSingleThreadExecutor(r -> daemon(r, "radar-" + scorerId + "-score"));
    }

    InFlight submit(TaskBuffer.Fetched f) {
        if (f.task() == null) {
            InFlight undecodable = new InFlight(f, CompletableFuture.completedFuture(
                    new ShardOutcome.Undecodable(f.decodeError())));
            undecodable.doneNanos = System.nanoTime();
            return undecodable;
        }
        ShardTask task = f.task();
        CompletableFuture<ShardOutcome> outcome = CompletableFuture.supplyAsync(() -> prepare(task), preparing)
                .thenApplyAsync(p -> score(task, p), scoring)
                .exceptionally(e -> new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": "
                        + (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e)));
        InFlight inFlight = new InFlight(f, outcome);
        outcome.whenComplete((o, e) -> {
            inFlight.doneNanos = System.nanoTime();
            onScored.run();
        });
        return inFlight;
    }

    private Prepared prepare(ShardTask task) {
        Path checkpoint;
        try {
            checkpoint = CheckpointValidator.toPath(task.getCheckpointUri());
            // The planner's rule again: the folder may have been replaced (or a symlink redirected) since.
            var rejected = checkpoints.checkCheckpoint(checkpoint);
            if (rejected.isPresent()) {
                return new Prepared(null, null, new ShardOutcome.Failed(rejected.get().reason(),
                        "checkpoint " + checkpoint + ": " + rejected.get().detail()));
            }
        } catch (RuntimeException e) {
            return new Prepared(null, null, new ShardOutcome.Failed("checkpoint-load-failed",
                    "checkpoint " + task.getCheckpointUri() + ": " + e.getMessage()));
        }
        try {
            return new Prepared(checkpoint, Benchmark.loadShard(Path.of(task.getBenchmarkUri()),
                    task.getBenchmarkVersion(), task.getShardIndex(), task.getShardCount()), null);
        } catch (RuntimeException e) {
            return new Prepared(checkpoint, null, new ShardOutcome.Failed("benchmark-shard-unreadable",
                    "shard " + ScoreEvents.label(task) + ": " + e.getMessage()));
        }
    }

    private ShardOutcome score(ShardTask task, Prepared p) {
        long start = System.nanoTime();
        if (lastShardEndNanos != 0) {
            metrics.modelIdle(start - lastShardEndNanos);
        }
        try {
            if (p.checkpoint() == null) {
                return p.failure();
            }
            Scorer scorer;
            try {
                scorer = models.get(p.checkpoint());
            } catch (RuntimeException e) {
                return new ShardOutcome.Failed("checkpoint-load-failed",
                        "checkpoint " + task.getCheckpointUri() + ": " + e.getMessage());
            }
            if (p.shard() == null) {
                // Reported after the checkpoint: a checkpoint that cannot load is the more useful reason.
                return p.failure();
            }
            List<SampleResult> results;
            try {
                results = scorer.score(p.shard().samples(), ProgressListener.NONE);
            } catch (RuntimeException e) {
                return new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": " + e.getMessage());
            }
            return new ShardOutcome.Scored(p.shard(), results, scorer.promptRulesVersion(), start);
        } finally {
            lastShardEndNanos = System.nanoTime();
        }
    }

    /** Abandons queued work and waits for the scoring thread to leave the model, so the cache can be closed. */
    @Override
    public void close() {
        preparing.shutdownNow();
        scoring.shutdownNow();
        try {
            scoring.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
