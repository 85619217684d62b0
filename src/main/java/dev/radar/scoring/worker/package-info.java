/**
 * The distributed scoring worker: a member of the radar-scorers consumer group that scores shard tasks with the
 * engine and writes their SampleScores exactly once (Kafka transactions).
 */
package dev.radar.scoring.worker;
