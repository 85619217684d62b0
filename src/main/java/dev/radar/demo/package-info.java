/**
 * The embedded default behind {@code radar demo}: broker, planner, scorer, aggregator, metrics and web page in one
 * process, evaluating a training run replayed from saved checkpoint snapshots.
 */
package dev.radar.demo;
