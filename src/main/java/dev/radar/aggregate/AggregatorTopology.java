package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.SampleScore;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;
import java.util.function.Function;

/**
 * The aggregator's Kafka Streams topology.
 *
 * <pre>
 * radar.sample-scores ─decode─┐                  ┌─▶ radar.dead-letters (undecodable / invalid records)
 * radar.evaluations ──decode──┴─ merge ─ split ──┤
 *                                                └─▶ CheckpointAggregator (stores: checkpoints, seen samples, reports)
 *                                                      │ AbilityReport (partial, rate-limited; complete)
 *                                                      ├─▶ radar.ability-reports (key runId/step/benchmarkVersion)
 *                                                      └─ complete only, re-keyed by runId ─ repartition
 *                                                            ─▶ CurveTracker (stores: curves, alerts) ─▶ radar.alerts
 * </pre>
 * Scores and plans are co-partitioned by runId/step, so one task sees a checkpoint's plan and all its scores; the
 * curves need every checkpoint of a run in one place, hence the repartition by runId.
 */
public final class AggregatorTopology {
    /** Per (run, step, benchmark version) running totals. */
    public static final String CHECKPOINT_STORE = "aggregator-checkpoints";
    /** Seen (evaluationId, task, sampleId), in chunks per checkpoint: the dedupe set (see {@link SeenSamples}). */
    public static final String SEEN_STORE = "aggregator-seen-chunks";
    /** Latest emitted AbilityReport per report key (queries). */
    public static final String REPORT_STORE = "aggregator-reports";
    /** Per run: completed checkpoints by step, per benchmark version, and the stagnation flag. */
    public static final String CURVE_STORE = "aggregator-curves";
    /** Per run: recent alerts. */
    public static final String ALERT_STORE = "aggregator-alerts";

    private AggregatorTopology() {
    }

    public static Topology build(AggregatorConfig cfg) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(store(CHECKPOINT_STORE, StateSerdes.checkpoint()));
        builder.addStateStore(store(SEEN_STORE, Serdes.ByteArray()));
        builder.addStateStore(store(REPORT_STORE, Topics.ABILITY_REPORTS.valueSerde()));
        builder.addStateStore(store(CURVE_STORE, StateSerdes.curves()));
        builder.addStateStore(store(ALERT_STORE, StateSerdes.avroList(AbilityAlert.class)));

        KStream<String, SpecificRecord> scores = decoded(builder, Topics.SAMPLE_SCORES, AggregatorTopology::invalidScore);
        KStream<String, SpecificRecord> plans = decoded(builder, Topics.EVALUATIONS, AggregatorTopology::invalidPlan);

        Map<String, KStream<String, SpecificRecord>> branches = scores.merge(plans, Named.as("merge-inputs"))
                .split(Named.as("input-"))
                .branch((k, v) -> v instanceof DeadLetter, Branched.as("dead"))
                .defaultBranch(Branched.as("events"));
        branches.get("input-dead")
                .mapValues(v -> (DeadLetter) v, Named.as("as-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), produced(Topics.DEAD_LETTERS));

        KStream<String, AbilityReport> reports = branches.get("input-events")
                .process(() -> new CheckpointAggregator(cfg), Named.as("checkpoint-aggregator"),
                        CHECKPOINT_STORE, SEEN_STORE, REPORT_STORE);
        reports.to(Topics.ABILITY_REPORTS.name(), produced(Topics.ABILITY_REPORTS));

        reports.filter((k, r) -> r.getComplete(), Named.as("complete-reports"))
                .selectKey((k, r) -> r.getRunId(), Named.as("key-by-run"))
                .repartition(Repartitioned.<String, AbilityReport>as("complete-reports-by-run")
                        .withKeySerde(Serdes.String()).withValueSerde(Topics.ABILITY_REPORTS.valueSerde()))
                .process(() -> new CurveTracker(cfg), Named.as("curve-tracker"), CURVE_STORE, ALERT_STORE)
                .to(Topics.ALERTS.name(), produced(Topics.ALERTS));
        return builder.build();
    }

    private static <T extends SpecificRecord> KStream<String, SpecificRecord> decoded(
            StreamsBuilder builder, TopicSpec<String, T> topic, Function<T, String> validator) {
        String name = topic.name().replace("radar.", "");
        return builder.stream(topic.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(name + "-source"))
                .process(() -> new DecodeOrDeadLetter<>(topic.valueSerde().deserializer(), validator),
                        Named.as("decode-" + name));
    }

    static String invalidScore(SampleScore s) {
        if (s.getRunId().isBlank() || s.getEvaluationId().isBlank() || s.getSampleId().isBlank() || s.getTask().isBlank()) {
            return "SampleScore without runId, evaluationId, task or sampleId";
        }
        if (s.getFailure() == null && !(s.getSds() >= 0.0 && s.getSds() <= 1.0)) {
            return "SDS must be a probability in [0, 1], was " + s.getSds();
        }
        return null;
    }

    static String invalidPlan(EvaluationPlanned p) {
        if (p.getRunId().isBlank() || p.getEvaluationId().isBlank()) {
            return "EvaluationPlanned without runId or evaluationId";
        }
        return null;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, org.apache.kafka.common.serialization.Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde).withCachingEnabled();
    }

    private static <V> Produced<String, V> produced(TopicSpec<String, V> topic) {
        return Produced.with(topic.keySerde(), topic.valueSerde());
    }
}
