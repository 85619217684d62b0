package dev.radar.scoring;

import dev.radar.bench.BenchSample;

import java.util.List;

/**
 * A loaded scoring package, ready to score. Obtain with {@link dev.radar.scoring.djl.ScoringEngine#open}; close to free native memory.
 * One thread at a time may call {@link #score} (calls are serialised).
 */
public interface Scorer extends AutoCloseable {

    /**
     * Scores {@code samples}; returns one result per sample in input order. A bad sample (unreadable image,
     * fewer than two candidates, an empty candidate, too long) yields a failed result, the others are scored.
     *
     * @throws ScoringException when the model itself fails (nothing could be scored)
     */
    List<SampleResult> score(List<BenchSample> samples, ProgressListener progress);

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
}
