package dev.radar.scoring.worker;

import dev.radar.bench.Benchmark;
import dev.radar.scoring.SampleResult;

import java.util.List;

/** What the scoring pipeline made of one fetched task; the poll thread turns it into one transaction. */
sealed interface ShardOutcome {

    /**
     * The shard was scored (some samples may have failed, each with its reason).
     *
     * @param startedNanos when the scoring thread started on it (model load included), for the shard latency
     */
    record Scored(Benchmark.Shard shard, List<SampleResult> results, String promptRules, long startedNanos)
            implements ShardOutcome {
    }

    /** Nothing could be scored: the task is re-queued with attempt+1, or dead-lettered after scorer.max.attempts. */
    record Failed(String reason, String detail) implements ShardOutcome {
    }

    /** The record is not a ShardTask: dead-lettered at once. */
    record Undecodable(String detail) implements ShardOutcome {
    }
}
