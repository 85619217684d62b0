package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ProgressListener;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.ScoringException;
import dev.radar.scoring.ScoringStats;
import dev.radar.scoring.Sds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scoring pipeline: prefetch threads tokenise and decode images into a bounded queue while this thread
 * lays samples out as rows (packed or per-candidate), batches them by length and runs the model; per-token
 * outputs are gathered back per sample and turned into SDS with {@link Sds}. {@link #prepare} does the prefetch
 * threads' part alone, for a caller that prepares the next shard while the model scores this one.
 */
public final class DjlScorer implements Scorer {

    private static final Logger LOG = LoggerFactory.getLogger(DjlScorer.class);

    private final ScoringModel model;
    private final ScoringConfig cfg;
    private final SamplePreparer preparer;
    private final BatchRunner runner;
    private final PositionRule positions;
    private volatile ScoringStats lastStats = ScoringStats.EMPTY;

    public DjlScorer(ScoringModel model, ScoringConfig cfg) {
        this.model = model;
        this.cfg = cfg;
        this.preparer = new SamplePreparer(model);
        this.runner = new BatchRunner(model);
        ModelConfig mc = model.config();
        this.positions = mc.realArchitecture() && mc.positionDims() == 3
                ? PositionRule.mrope(mc.vision().mergeSize()) : PositionRule.SEQUENTIAL;
        if (cfg.strategy() == ScoringConfig.Strategy.PACKED && !model.config().supportsPackedMask()) {
            LOG.warn("{} does not support the packed-candidates mask; scoring per candidate", model.dir());
        }
    }

    public static DjlScorer open(Path dir, ScoringConfig cfg) {
        return new DjlScorer(ScoringModel.load(dir, cfg), cfg);
    }

    /** Prepares on the prefetch threads while this thread scores: preparation and forward passes overlap. */
    @Override
    public synchronized List<SampleResult> score(List<BenchSample> samples, ProgressListener progress) {
        long wall0 = System.nanoTime();
        BlockingQueue<PreparedSample> queue = new ArrayBlockingQueue<>(cfg.prefetch());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService prep = startPrefetch(samples, queue, stop);
        try {
            return scorePrepared(samples.size(), queue::take, progress, wall0);
        } finally {
            stop.set(true);
            queue.clear();
            prep.shutdownNow();
        }
    }

    @Override
    public PreparedShard prepare(List<BenchSample> samples) {
        // An unbounded queue: the whole shard is held until scored, so the prefetch threads never wait for the model.
        BlockingQueue<PreparedSample> queue = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService prep = startPrefetch(samples, queue, stop);
        PreparedSample[] ordered = new PreparedSample[samples.size()];
        try {
            for (int i = 0; i < ordered.length; i++) {
                PreparedSample p = queue.take();
                ordered[p.index()] = p;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScoringException("preparation interrupted", e);
        } finally {
            stop.set(true);
            prep.shutdownNow();
        }
        return new Prepared(this, List.copyOf(samples), List.of(ordered));
    }

    @Override
    public synchronized List<SampleResult> score(PreparedShard prepared, ProgressListener progress) {
        if (!(prepared instanceof Prepared p) || p.owner() != this) {
            throw new IllegalArgumentException("samples prepared by another scorer cannot be scored by " + model.dir()
                    + ": its tokenizer and image settings made them");
        }
        long wall0 = System.nanoTime();
        Iterator<PreparedSample> next = p.prepared().iterator();
        // In index order: the order a single prefetch thread hands them to score(samples), so chunks and batches
        // (and so every float) are the same.
        return scorePrepared(p.prepared().size(), next::next, progress, wall0);
    }

    /** Samples of one scorer, prepared in input order (index i at position i). */
    private record Prepared(DjlScorer owner, List<BenchSample> samples, List<PreparedSample> prepared)
            implements PreparedShard {
    }

    /** Where the scoring loop takes its next prepared sample from. */
    @FunctionalInterface
    private interface PreparedSource {
        PreparedSample next() throws InterruptedException;
    }

    /** Takes {@code total} prepared samples from {@code source}, scores them chunk by chunk, results in index order. */
    private List<SampleResult> scorePrepared(int total, PreparedSource source, ProgressListener progress, long wall0) {
        SampleResult[] results = new SampleResult[total];
        Stats stats = new Stats();
        try {
            int received = 0;
            int done = 0;
            while (received < total) {
                List<PreparedSample> chunk = new ArrayList<>();
                long chunkTokens = 0;
                // Enough samples for about one full batch; the queue keeps filling while the model runs.
                while (received < total && (chunk.isEmpty() || chunkTokens < cfg.batchTokens())) {
                    PreparedSample p = source.next();
                    received++;
                    chunk.add(p);
                    stats.prepNanos += p.prepNanos();
                    chunkTokens += estimateTokens(p);
                }
                List<SampleResult> scored = scoreChunk(chunk, stats);
                for (int i = 0; i < chunk.size(); i++) {
                    results[chunk.get(i).index()] = scored.get(i);
                }
                done += chunk.size();
                progress.onProgress(done, total);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScoringException("scoring interrupted", e);
        }
        lastStats = new ScoringStats(total, stats.rows, stats.batches, stats.tokens, System.nanoTime() - wall0,
                stats.forwardNanos, stats.inputNanos, stats.prepNanos);
        return Arrays.asList(results);
    }

    private ExecutorService startPrefetch(List<BenchSample> samples, BlockingQueue<PreparedSample> queue,
                                          AtomicBoolean stop) {
        ExecutorService prep = Executors.newFixedThreadPool(cfg.prepThreads(), r -> {
            Thread t = new Thread(r, "radar-scoring-prefetch");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger next = new AtomicInteger();
        for (int i = 0; i < cfg.prepThreads(); i++) {
            prep.submit(() -> {
                int idx;
                while (!stop.get() && (idx = next.getAndIncrement()) < samples.size()) {
                    PreparedSample p;
                    try {
                        p = preparer.prepare(idx, samples.get(idx));
                    } catch (Throwable t) {
                        // Never leave the scoring thread waiting for a sample that will not come.
                        p = PreparedSample.failed(idx, samples.get(idx), "sample " + samples.get(idx).key()
                                + ": preparation failed: " + t, 0);
                    }
                    try {
                        queue.put(p);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        return prep;
    }

    private static long estimateTokens(PreparedSample p) {
        if (p.failure() != null) {
            return 0;
        }
        long n = p.promptIds().length;
        for (int[] c : p.candidateIds()) {
            n += c.length;
        }
        return n;
    }

    /** Scores one chunk of prepared samples; returns results in chunk order. */
    private List<SampleResult> scoreChunk(List<PreparedSample> chunk, Stats stats) {
        int max = model.config().maxSequenceLength();
        boolean packed = cfg.strategy() == ScoringConfig.Strategy.PACKED && model.config().supportsPackedMask();
        Map<Integer, Collected> collected = new HashMap<>();
        Map<Integer, String> failures = new HashMap<>();
        List<Row> rows = new ArrayList<>();
        for (PreparedSample p : chunk) {
            if (p.failure() != null) {
                failures.put(p.index(), p.failure());
                continue;
            }
            List<Row> own = new ArrayList<>();
            try {
                Row pk = packed && p.packable() ? Row.packed(p, positions) : null;
                if (pk != null && pk.positionSpan() <= max) {
                    own.add(pk);
                } else {
                    // Per-candidate is the reference layout, and the fallback for samples whose joint
                    // tokenisation changes the prompt's tail (a shared prompt would then not be exact).
                    for (int k = 0; k < p.candidateIds().size(); k++) {
                        own.add(Row.perCandidate(p, k, positions));
                    }
                }
            } catch (RuntimeException e) {
                failures.put(p.index(), "sample " + p.sample().key() + ": cannot lay out its rows: " + e.getMessage());
                continue;
            }
            int longest = own.stream().mapToInt(Row::positionSpan).max().orElse(0);
            if (longest > max) {
                failures.put(p.index(), "sample " + p.sample().key() + ": " + longest
                        + " tokens exceed the model's maxSequenceLength " + max);
                continue;
            }
            collected.put(p.index(), new Collected(p));
            rows.addAll(own);
        }
        for (List<Row> batch : BatchRunner.batches(rows, cfg.batchTokens())) {
            try {
                BatchRunner.Output out = runner.run(batch);
                stats.add(out);
                long batchNanos = out.inputNanos() + out.forwardNanos();
                for (int i = 0; i < batch.size(); i++) {
                    Row r = batch.get(i);
                    Collected c = collected.get(r.sample().index());
                    c.accept(r, out.raw()[i], out.lse()[i]);
                    c.nanos += batchNanos * r.length() / Math.max(1, out.tokens());
                }
            } catch (RuntimeException e) {
                String reason = "model forward failed: " + e.getMessage();
                LOG.warn("batch of {} rows failed: {}", batch.size(), e.toString());
                for (Row r : batch) {
                    failures.putIfAbsent(r.sample().index(), "sample " + r.sample().sample().key() + ": " + reason);
                }
            }
        }
        List<SampleResult> out = new ArrayList<>(chunk.size());
        for (PreparedSample p : chunk) {
            BenchSample s = p.sample();
            String failure = failures.get(p.index());
            Collected c = collected.get(p.index());
            long millis = (p.prepNanos() + (c == null ? 0 : c.nanos)) / 1_000_000;
            out.add(failure != null ? SampleResult.failed(s.key(), s.id(), s.task(), failure, millis)
                    : c.result(millis));
        }
        return out;
    }

    /** Per-token outputs of one sample, gathered from however many rows and batches it was spread over. */
    private static final class Collected {
        final PreparedSample p;
        final double[][] raw;
        final double[][] lse;
        long nanos;

        Collected(PreparedSample p) {
            this.p = p;
            int k = p.candidateIds().size();
            raw = new double[k][];
            lse = new double[k][];
            for (int c = 0; c < k; c++) {
                raw[c] = new double[p.candidateIds().get(c).length];
                lse[c] = new double[raw[c].length];
            }
        }

        void accept(Row r, float[] rawOut, float[] lseOut) {
            for (int j = 0; j < r.targetCand().length; j++) {
                raw[r.targetCand()[j]][r.targetTok()[j]] = rawOut[j];
                lse[r.targetCand()[j]][r.targetTok()[j]] = lseOut[j];
            }
        }

        SampleResult result(long millis) {
            BenchSample s = p.sample();
            List<double[]> z = Arrays.asList(raw);
            try {
                Sds.Result r = Sds.score(z, Arrays.asList(lse));
                int[] counts = Arrays.stream(raw).mapToInt(a -> a.length).toArray();
                return new SampleResult(s.key(), s.id(), s.task(), r.sds(), r.correct(), r.llCorrect(),
                        r.llNormCorrect(), r.meanLogits(), counts, List.copyOf(z), r.probabilities(), null, millis);
            } catch (IllegalArgumentException e) {
                return SampleResult.failed(s.key(), s.id(), s.task(), "sample " + s.key() + ": " + e.getMessage(), millis);
            }
        }
    }

    private static final class Stats {
        int rows;
        int batches;
        long tokens;
        long forwardNanos;
        long inputNanos;
        long prepNanos;

        void add(BatchRunner.Output o) {
            rows += o.rows().size();
            batches++;
            tokens += o.tokens();
            forwardNanos += o.forwardNanos();
            inputNanos += o.inputNanos();
        }
    }

    @Override
    public ModelConfig modelConfig() {
        return model.config();
    }

    @Override
    public ScoringConfig config() {
        return cfg;
    }

    @Override
    public String promptRulesVersion() {
        return model.promptRulesVersion();
    }

    @Override
    public ScoringStats lastStats() {
        return lastStats;
    }

    @Override
    public void close() {
        model.close();
    }
}
