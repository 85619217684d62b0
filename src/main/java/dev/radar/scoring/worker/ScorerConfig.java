package dev.radar.scoring.worker;

import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.scoring.ScoringConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.Properties;

/**
 * Settings of a scorer worker (the engine's own settings are {@link ScoringConfig}'s {@code scoring.*} keys; where
 * checkpoints may live and the architecture packages are {@link dev.radar.checkpoint.CheckpointConfig}'s, which the
 * scorer checks again before loading, as the planner did).
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
 *   <tr><td>scorer.transaction.timeout.ms</td><td>5000</td><td>the broker aborts a scorer's open transaction after this. A
 *       killed scorer's open transaction blocks, until it is aborted, the committed offset of its shard-task partition
 *       (the next owner cannot resume it) and read_committed readers of its radar.sample-scores partitions (the
 *       aggregator); a scorer restarted with the same scorer.id fences it at once, a lost one only by this timeout
 *       (plus up to the broker's transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s by default). A
 *       transaction spans only a scored shard's sends and its offset commit (milliseconds), not the scoring, so 5 s
 *       is ample; the cost of a too short value is a transaction the broker aborts: that shard is scored again (or
 *       the fenced scorer exits and is restarted), never counted twice</td></tr>
 *   <tr><td>scorer.group.instance.id</td><td>(none)</td><td>static group membership: a restarted scorer with the same id takes its partitions back without a rebalance. Unique per scorer; give it (and scorer.id, which fences the crashed one's open transaction at once) a stable name, e.g. the StatefulSet pod name</td></tr>
 *   <tr><td>scorer.session.timeout.ms</td><td>6000</td><td>how long a killed scorer holds its partitions before the group hands them on (the heartbeat runs beside scoring, so a long shard does not need a long session); the heartbeat is a sixth of it. 6000 is the broker's lowest by default (group.min.session.timeout.ms)</td></tr>
 * </table>
 */
public record ScorerConfig(String scorerId, String groupId, int modelCacheSize, int maxAttempts, long pollMs,
                           int fetchMaxTasks, int transactionTimeoutMs, ScoringConfig scoring,
                           CheckpointValidator checkpoints, String groupInstanceId, int sessionTimeoutMs) {

    public static ScorerConfig from(RadarProperties p) {
        ScoringConfig scoring = ScoringConfig.from(p);
        return new ScorerConfig(
                p.get("scorer.id", "scorer-" + KafkaSettings.hostId()),
                p.get("scorer.group.id", "radar-scorers"),
                Math.max(1, p.getInt("scorer.model.cache", 1)),
                Math.max(1, p.getInt("scorer.max.attempts", 3)),
                Math.max(10, p.getLong("scorer.poll.ms", 200)),
                Math.max(1, p.getInt("scorer.fetch.max.tasks", 500)),
                p.getInt("scorer.transaction.timeout.ms", 5_000),
                scoring, CheckpointValidator.withContent(CheckpointConfig.from(p).allowedRoots(), scoring.architectures()),
                p.get("scorer.group.instance.id", "").trim(),
                Math.max(1, p.getInt("scorer.session.timeout.ms", 6_000)));
    }

    /**
     * Adds the group-membership settings to the scorer's consumer properties: session timeout (and a heartbeat that
     * fits it several times) and, when configured, the static {@code group.instance.id}. Explicit {@code kafka.*}
     * consumer settings win.
     */
    public Properties membership(Properties consumer) {
        consumer.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        // A sixth: the survivors of a lost scorer hear of the rebalance at their next heartbeat after the session ends.
        consumer.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, sessionTimeoutMs / 6));
        if (!groupInstanceId.isEmpty()) {
            consumer.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }
        return consumer;
    }
}
