/**
 * Performance harnesses behind {@code radar perf}: scoring strategies ({@link dev.radar.perf.ScoringPerf}), the
 * aggregator ({@link dev.radar.perf.AggregatePerf}) and the whole pipeline against scoring alone
 * ({@link dev.radar.perf.PipelinePerf}). They generate their own data, run real components (embedded broker, real
 * TorchScript through DJL) and print a report; production code never depends on this package.
 */
package dev.radar.perf;
