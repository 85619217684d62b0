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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Two stages behind the poll thread, one thread each, so that the model never waits for Kafka, files or a
 * transaction: a preparing thread reads the next shard's samples (task files, plan index) and, once the scoring
 * thread has taken the model for the shard before, prepares its model inputs (images decoded, prompts tokenised)
 * with that model's {@link Scorer#prepare} while the scoring thread runs the current shard through the model; the poll
 * thread meanwhile commits the shard before. Stages keep the order of submission, and the poll thread commits in that
 * order, so each partition's offsets are committed in order. The scoring thread alone touches the model cache.
 *
 * <p>Preparation is one shard ahead: shard N+1 is prepared with the model the scoring thread took for shard N, and
 * only when N+1 is for that same checkpoint (folder and content); otherwise only its files are read ahead, and the
 * scoring thread prepares its samples as it scores them. A scorer is closed only when the cache evicts it, inside
 * the cache lookup of a later shard, and that lookup waits for the later shard's preparation: so the preparing
 * thread never works with a closed model.
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
        /** When its samples' model inputs were ready ahead of scoring (System.nanoTime); 0 if not prepared ahead. */
        volatile long samplesPreparedNanos;
        /** When the scoring thread was done with it (System.nanoTime), 0 before. */
        volatile long scoredNanos;

        InFlight(TaskBuffer.Fetched fetched, CompletableFuture<ShardOutcome> outcome) {
            this.fetched = fetched;
            this.outcome = outcome;
        }

        TopicPartition partition() {
            return fetched.partition();
        }
    }

    /**
     * A task's checkpoint folder and samples, read ahead, and its model inputs if they could be prepared ahead (by
     * {@code preparedBy}); or why the task cannot be scored.
     */
    private record Prepared(Path checkpoint, Benchmark.Shard shard, ShardOutcome.Failed failure,
                            Scorer.PreparedShard samples, Scorer preparedBy) {
        Prepared(Path checkpoint, Benchmark.Shard shard, ShardOutcome.Failed failure) {
            this(checkpoint, shard, failure, null, null);
        }
    }

    /** The model the scoring thread took for a shard: the checkpoint as it was then, and its scorer (null: none). */
    private record Loaded(ModelCache.Key key, Scorer scorer) {
        static final Loaded NONE = new Loaded(null, null);
    }

    private final ModelCache models;
    private final CheckpointValidator checkpoints;
    private final ScorerMetrics metrics;
    private final Runnable onScored;
    private final ExecutorService preparing;
    private final ExecutorService scoring;
    /** End of the last shard on the scoring thread (0 before the first); scoring thread only. */
    private long lastShardEndNanos;
    /** The model of the last submitted shard, once the scoring thread has it; poll thread only. */
    private CompletableFuture<Loaded> lastSubmittedModel = CompletableFuture.completedFuture(Loaded.NONE);

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
        InFlight inFlight = new InFlight(f, new CompletableFuture<>());
        CompletableFuture<Loaded> modelBefore = lastSubmittedModel;
        CompletableFuture<Loaded> model = new CompletableFuture<>();
        lastSubmittedModel = model;
        CompletableFuture<Prepared> prepared = CompletableFuture.supplyAsync(
                () -> prepare(task, modelBefore, inFlight), preparing);
        CompletableFuture.supplyAsync(() -> score(task, prepared, model, inFlight), scoring)
                .exceptionally(e -> new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": "
                        + (e instanceof CompletionException && e.getCause() != null ? e.getCause() : e)))
                .thenAccept(o -> {
                    inFlight.doneNanos = System.nanoTime();
                    inFlight.outcome.complete(o);
                    onScored.run();
                });
        return inFlight;
    }

    /** Preparing thread: reads the task's files, then prepares its samples if the model before it is its model. */
    private Prepared prepare(ShardTask task, CompletableFuture<Loaded> modelBefore, InFlight inFlight) {
        Prepared files = readFiles(task);
        if (files.shard() == null) {
            return files;
        }
        Loaded before;
        try {
            before = modelBefore.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return files;
        } catch (ExecutionException e) {
            return files;
        }
        try {
            if (before.scorer() == null || !before.key().equals(ModelCache.Key.of(files.checkpoint()))) {
                return files;
            }
            Scorer.PreparedShard samples = before.scorer().prepare(files.shard().samples());
            inFlight.samplesPreparedNanos = System.nanoTime();
            return new Prepared(files.checkpoint(), files.shard(), null, samples, before.scorer());
        } catch (RuntimeException e) {
            // The scoring thread prepares the samples again as it scores them, and reports what fails there.
            return files;
        }
    }

    private Prepared readFiles(ShardTask task) {
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

    /**
     * Scoring thread: waits for the shard's preparation, takes its model from the cache (publishing it as
     * {@code model} for the next shard's preparation) and scores it.
     */
    private ShardOutcome score(ShardTask task, CompletableFuture<Prepared> prepared, CompletableFuture<Loaded> model,
                               InFlight inFlight) {
        long start = System.nanoTime();
        if (lastShardEndNanos != 0) {
            metrics.modelIdle(start - lastShardEndNanos);
        }
        try {
            Prepared p;
            try {
                p = prepared.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": interrupted");
            } catch (ExecutionException e) {
                return new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": preparation failed: "
                        + e.getCause());
            } finally {
                metrics.preparationWait(System.nanoTime() - start);
            }
            if (p.checkpoint() == null) {
                return p.failure();
            }
            Scorer scorer;
            try {
                ModelCache.Key key = ModelCache.Key.of(p.checkpoint());
                scorer = models.get(p.checkpoint());
                model.complete(new Loaded(key, scorer));
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
                // Samples prepared ahead by another (since evicted and reloaded) scorer are prepared again.
                results = p.preparedBy() == scorer ? scorer.score(p.samples(), ProgressListener.NONE)
                        : scorer.score(p.shard().samples(), ProgressListener.NONE);
            } catch (RuntimeException e) {
                return new ShardOutcome.Failed("scoring-failed", "shard " + ScoreEvents.label(task) + ": " + e.getMessage());
            }
            return new ShardOutcome.Scored(p.shard(), results, scorer.promptRulesVersion(), start);
        } finally {
            // Without a model the next shard's preparation reads its files only (complete() keeps a first value).
            model.complete(Loaded.NONE);
            lastShardEndNanos = System.nanoTime();
            inFlight.scoredNanos = lastShardEndNanos;
        }
    }

    /** Abandons queued work and waits for both threads to leave the model, so the cache can be closed. */
    @Override
    public void close() {
        preparing.shutdownNow();
        scoring.shutdownNow();
        try {
            scoring.awaitTermination(30, TimeUnit.SECONDS);
            preparing.awaitTermination(30, TimeUnit.SECONDS);
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
