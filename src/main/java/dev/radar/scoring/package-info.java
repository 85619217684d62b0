/**
 * Scoring engine: turns benchmark samples into Soft Discrimination Scores with a TorchScript scoring package.
 *
 * <p>Public API, used by the distributed scorer and the CLI:
 * {@link dev.radar.scoring.djl.ScoringEngine#open} gives a {@link dev.radar.scoring.Scorer} whose
 * {@code score(samples, progress)} returns one {@link dev.radar.scoring.SampleResult} per sample (failed ones
 * carry a reason instead of scores). {@link dev.radar.scoring.Sds} is the pure SDS / accuracy arithmetic,
 * {@link dev.radar.scoring.ScoringConfig} the {@code scoring.*} configuration keys,
 * {@link dev.radar.scoring.ModelConfig} the parsed {@code radar-model.json}.
 * The DJL-specific machinery (loading, tensors, batching) lives in {@code dev.radar.scoring.djl}, which implements
 * these types; this package does not depend on it.
 */
package dev.radar.scoring;
