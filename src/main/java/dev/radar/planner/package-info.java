/**
 * Planner: validates CheckpointSaved events, fixes the benchmark version and splits an evaluation into shard tasks.
 */
package dev.radar.planner;
