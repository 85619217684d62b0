package dev.radar.kafka;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AvroSerde;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.util.List;

/** Every RADAR topic, declared once (the data flow: README, "Architecture"). */
public final class Topics {
    private Topics() {
    }

    private static final String DELETE = TopicConfig.CLEANUP_POLICY_DELETE;
    private static final String COMPACT = TopicConfig.CLEANUP_POLICY_COMPACT;
    private static final Serde<String> KEY = Serdes.String();

    /** Checkpoint-saved events from training jobs (key runId/step). */
    public static final TopicSpec<String, CheckpointSaved> CHECKPOINTS =
            new TopicSpec<>("radar.checkpoints", KEY, AvroSerde.of(CheckpointSaved.class), 3, DELETE);

    /** One EvaluationPlanned per evaluation (key runId/step; co-partitioned with sample scores). */
    public static final TopicSpec<String, EvaluationPlanned> EVALUATIONS =
            new TopicSpec<>("radar.evaluations", KEY, AvroSerde.of(EvaluationPlanned.class), 6, DELETE);

    /** Shards to score; many partitions so the scorer group can grow (key evaluationId/shard). */
    public static final TopicSpec<String, ShardTask> SHARD_TASKS =
            new TopicSpec<>("radar.shard-tasks", KEY, AvroSerde.of(ShardTask.class), 12, DELETE);

    /** Per-sample scores (key runId/step, so one checkpoint aggregates on one partition). */
    public static final TopicSpec<String, SampleScore> SAMPLE_SCORES =
            new TopicSpec<>("radar.sample-scores", KEY, AvroSerde.of(SampleScore.class), 6, DELETE);

    /** Latest ability report per (run, step, benchmark version): compacted. */
    public static final TopicSpec<String, AbilityReport> ABILITY_REPORTS =
            new TopicSpec<>("radar.ability-reports", KEY, AvroSerde.of(AbilityReport.class), 6, COMPACT);

    /** Stagnation alerts and recoveries (key runId). */
    public static final TopicSpec<String, AbilityAlert> ALERTS =
            new TopicSpec<>("radar.alerts", KEY, AvroSerde.of(AbilityAlert.class), 3, DELETE);

    /** Everything RADAR could not process, with the reason. */
    public static final TopicSpec<String, DeadLetter> DEAD_LETTERS =
            new TopicSpec<>("radar.dead-letters", KEY, AvroSerde.of(DeadLetter.class), 3, DELETE);

    public static final List<TopicSpec<?, ?>> ALL = List.of(
            CHECKPOINTS, EVALUATIONS, SHARD_TASKS, SAMPLE_SCORES, ABILITY_REPORTS, ALERTS, DEAD_LETTERS);
}
