package dev.radar.scoring.worker;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.scoring.ScoringConfig;

/**
 * Settings of a scorer worker (the engine's own settings are {@link ScoringConfig}'s {@code scoring.*} keys).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>scorer.id</td><td>host-pid</td><td>worker id: in SampleScore.scorerId, client ids and the transactional id</td></tr>
 *   <tr><td>scorer.group.id</td><td>radar-scorers</td><td>consumer group sharing radar.shard-tasks</td></tr>
 *   <tr><td>scorer.model.cache</td><td>1</td><td>loaded checkpoints kept (GPU memory bounds this)</td></tr>
 *   <tr><td>scorer.max.attempts</td><td>3</td><td>tries per shard before it is dead-lettered</td></tr>
 *   <tr><td>scorer.poll.ms</td><td>200</td><td>longest poll; the scoring thread ends a poll as soon as a shard is scored, so this only bounds how often an idle scorer looks for work</td></tr>
 *   <tr><td>scorer.fetch.max.tasks</td><td>500</td><td>shard tasks fetched ahead of the model at most; the next task is chosen among them so that a checkpoint's shards are scored together</td></tr>
 *   <tr><td>scorer.transaction.timeout.ms</td><td>60000</td><td>broker aborts a crashed scorer's open transaction after this</td></tr>
 * </table>
 */
public record ScorerConfig(String scorerId, String groupId, int modelCacheSize, int maxAttempts, long pollMs,
                           int fetchMaxTasks, int transactionTimeoutMs, ScoringConfig scoring) {

    public static ScorerConfig from(RadarProperties p) {
        return new ScorerConfig(
                p.get("scorer.id", "scorer-" + KafkaSettings.hostId()),
                p.get("scorer.group.id", "radar-scorers"),
                Math.max(1, p.getInt("scorer.model.cache", 1)),
                Math.max(1, p.getInt("scorer.max.attempts", 3)),
                Math.max(10, p.getLong("scorer.poll.ms", 200)),
                Math.max(1, p.getInt("scorer.fetch.max.tasks", 500)),
                p.getInt("scorer.transaction.timeout.ms", 60_000),
                ScoringConfig.from(p));
    }
}
