package dev.radar.scoring;

import dev.radar.bench.BenchSample;

import java.util.List;

/**
 * A loaded scoring package, ready to score. Obtain with {@link dev.radar.scoring.djl.ScoringEngine#open}; close to free native memory.
 * One thread at a time may call {@link #score} (calls are serialised); {@link #prepare} may run on another thread at
 * the same time, so the next samples' images and tokens are ready when the model is free.
 */
public interface Scorer extends AutoCloseable {

    /**
     * Scores {@code samples}; returns one result per sample in input order. A bad sample (unreadable image,
     * fewer than two candidates, an empty candidate, too long) yields a failed result, the others are scored.
     *
     * @throws ScoringException when the model itself fails (nothing could be scored)
     */
    List<SampleResult> score(List<BenchSample> samples, ProgressListener progress);

    /**
     * Prepares {@code samples} for the model without touching it: decodes and preprocesses images, tokenises prompts
     * and candidates. CPU only and thread-safe; may run while {@link #score} runs on another thread, but not after
     * {@link #close}. A bad sample is prepared as a failure, reported by {@link #score(PreparedShard, ProgressListener)}.
     */
    PreparedShard prepare(List<BenchSample> samples);

    /**
     * Scores samples that {@link #prepare} of this same scorer made; the results are those that
     * {@link #score(List, ProgressListener)} gives for the same samples, in the same order.
     *
     * @throws IllegalArgumentException when {@code prepared} comes from another scorer (other tokenizer, other model)
     */
    List<SampleResult> score(PreparedShard prepared, ProgressListener progress);

    /** The package's parsed radar-model.json. */
    ModelConfig modelConfig();

    /** Version of the prompt rules that built every prompt this scorer scores; recorded with each score. */
    String promptRulesVersion();

    /** The configuration this scorer runs with. */
    ScoringConfig config();

    /** Timing of the last {@link #score} call (for the scoring benchmark and metrics). */
    ScoringStats lastStats();

    @Override
    void close();

    /** Samples made ready for one scorer's model by {@link #prepare}; opaque to callers. */
    interface PreparedShard {
        /** The samples, in the order given to {@link #prepare}. */
        List<BenchSample> samples();
    }
}
