package dev.radar.scoring;

/**
 * Where the time of one {@link Scorer#score} call went.
 *
 * @param samples      samples scored (failed included)
 * @param rows         model rows run (packed: one per sample; per-candidate: one per candidate)
 * @param batches      forward calls
 * @param tokens       real (non-padding) tokens sent through the model
 * @param wallNanos    wall time of the call
 * @param forwardNanos time inside the model forward, output read-back included
 * @param inputNanos   time building input tensors on the scoring thread (ids, masks, pixel copies)
 * @param prepNanos    time tokenising and decoding images on the prefetch thread (overlaps with forward)
 */
public record ScoringStats(int samples, int rows, int batches, long tokens, long wallNanos, long forwardNanos,
                           long inputNanos, long prepNanos) {

    public static final ScoringStats EMPTY = new ScoringStats(0, 0, 0, 0, 0, 0, 0, 0);

    /** Share of wall time spent outside the model forward (tokenising, images, copies, waiting). */
    public double outsideModelShare() {
        return wallNanos == 0 ? 0 : (double) (wallNanos - forwardNanos) / wallNanos;
    }

    public double samplesPerSecond() {
        return wallNanos == 0 ? 0 : samples * 1e9 / wallNanos;
    }
}
