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

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The aggregator's Kafka Streams topology.
 *
 * <pre>
 * radar.sample-scores ─decode─┐                  ┌─▶ radar.dead-letters (undecodable / invalid records)
 * radar.evaluations ──decode──┴─ merge ─ split ──┤
 *                                                └─▶ CheckpointAggregator (stores: checkpoints, seen samples, reports,
 *                                                      │                    report history, deadlines)
 *                                                      ├─▶ radar.dead-letters (unknown evaluation, sealed evaluation)
 *                                                      │ AbilityReport (partial, rate-limited; complete)
 *                                                      ├─▶ radar.ability-reports (key runId/step/benchmarkVersion)
 *                                                      └─ re-keyed by runId ─┐
 * radar.dead-letters ─decode─ those naming a run, re-keyed by runId ───────────┴─ merge ─ repartition
 *                                          ─▶ CurveTracker (stores: curves, alerts, failures) ─▶ radar.alerts
 * </pre>
 * Scores and plans are co-partitioned by runId/step, so one task sees a checkpoint's plan and all its scores; the
 * curves need every checkpoint of a run in one place, hence the repartition by runId. Partial reports go there too
 * (the tracker keeps which steps are still being scored), and so do the dead letters of planner, watcher, web and
 * scorers, so that a checkpoint that failed shows as failed, with its reason, instead of as 0%.
 */
public final class AggregatorTopology {
    /** Per evaluation (run, step, benchmark version, evaluation id) running totals. */
    public static final String CHECKPOINT_STORE = "aggregator-checkpoints";
    /** Latest report of every evaluation, current or superseded, key {@code runId/step/version/evaluationId}. */
    public static final String HISTORY_STORE = "aggregator-report-history";
    /** Deadlines (record time) of evaluations held unplanned or complete and not yet sealed. */
    static final String DEADLINE_STORE = "aggregator-deadlines";
    /** Seen (evaluationId, task, sampleId), in chunks per checkpoint: the dedupe set (see {@link SeenSamples}). */
    public static final String SEEN_STORE = "aggregator-seen-chunks";
    /** Latest AbilityReport of each step's current evaluation, per report key {@code runId/step/version} (queries). */
    public static final String REPORT_STORE = "aggregator-reports";
    /** Per run: completed checkpoints by step, per benchmark version, and the stagnation flag. */
    public static final String CURVE_STORE = "aggregator-curves";
    /** Per run: recent alerts. */
    public static final String ALERT_STORE = "aggregator-alerts";
    /** Per run: dead letters naming the run (failed checkpoints), without their raw bytes. */
    public static final String FAILURE_STORE = "aggregator-failures";
    /** Per report key: the plan's checkpoint URI and attributes, copied into every report of the checkpoint. */
    public static final String PLAN_STORE = "aggregator-plans";

    private AggregatorTopology() {
    }

    public static Topology build(AggregatorConfig cfg) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(store(CHECKPOINT_STORE, StateSerdes.checkpoint()));
        builder.addStateStore(store(SEEN_STORE, Serdes.ByteArray()));
        builder.addStateStore(store(REPORT_STORE, Topics.ABILITY_REPORTS.valueSerde()));
        builder.addStateStore(store(HISTORY_STORE, Topics.ABILITY_REPORTS.valueSerde()));
        builder.addStateStore(store(DEADLINE_STORE, Serdes.Long()));
        builder.addStateStore(store(CURVE_STORE, StateSerdes.curves()));
        builder.addStateStore(store(ALERT_STORE, StateSerdes.avroList(AbilityAlert.class)));
        builder.addStateStore(store(FAILURE_STORE, StateSerdes.avroList(DeadLetter.class)));
        builder.addStateStore(store(PLAN_STORE, Topics.EVALUATIONS.valueSerde()));

        KStream<String, SpecificRecord> scores = decoded(builder, Topics.SAMPLE_SCORES, AggregatorTopology::invalidScore);
        KStream<String, SpecificRecord> plans = decoded(builder, Topics.EVALUATIONS, AggregatorTopology::invalidPlan);

        KStream<String, SpecificRecord> inputs = withoutDeadLetters(scores.merge(plans, Named.as("merge-inputs")), "input");
        KStream<String, SpecificRecord> aggregated = withoutDeadLetters(inputs
                .process(() -> new CheckpointAggregator(cfg), Named.as("checkpoint-aggregator"),
                        CHECKPOINT_STORE, SEEN_STORE, REPORT_STORE, PLAN_STORE, HISTORY_STORE, DEADLINE_STORE),
                "aggregated");
        KStream<String, AbilityReport> reports = aggregated
                .mapValues(v -> (AbilityReport) v, Named.as("as-report"));
        reports.to(Topics.ABILITY_REPORTS.name(), produced(Topics.ABILITY_REPORTS));

        KStream<String, SpecificRecord> failures = builder.stream(Topics.DEAD_LETTERS.name(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("dead-letters-source"))
                .flatMapValues(AggregatorTopology::failureOfARun, Named.as("failures-of-runs"))
                .selectKey((k, d) -> ((DeadLetter) d).getRunId(), Named.as("failure-key-by-run"));
        reports.mapValues(r -> (SpecificRecord) r, Named.as("report-as-run-event"))
                .selectKey((k, r) -> ((AbilityReport) r).getRunId(), Named.as("key-by-run"))
                .merge(failures, Named.as("merge-run-events"))
                .repartition(Repartitioned.<String, SpecificRecord>as("run-events-by-run")
                        .withKeySerde(Serdes.String()).withValueSerde(RunEventSerde.serde()))
                .process(() -> new CurveTracker(cfg), Named.as("curve-tracker"), CURVE_STORE, ALERT_STORE, FAILURE_STORE)
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

    /** Sends the dead letters among {@code stream} to radar.dead-letters; the other records go on. */
    private static KStream<String, SpecificRecord> withoutDeadLetters(KStream<String, SpecificRecord> stream, String name) {
        Map<String, KStream<String, SpecificRecord>> branches = stream.split(Named.as(name + "-"))
                .branch((k, v) -> v instanceof DeadLetter, Branched.as("dead"))
                .defaultBranch(Branched.as("events"));
        branches.get(name + "-dead")
                .mapValues(v -> (DeadLetter) v, Named.as(name + "-as-dead-letter"))
                .to(Topics.DEAD_LETTERS.name(), produced(Topics.DEAD_LETTERS));
        return branches.get(name + "-events");
    }

    private static final org.apache.kafka.common.serialization.Deserializer<DeadLetter> DEAD_LETTER_READER =
            Topics.DEAD_LETTERS.valueSerde().deserializer();

    /**
     * A dead letter that names a run, without its raw bytes (the topic keeps them); none for letters that name no
     * run or cannot be read: those concern no checkpoint, and re-dead-lettering them would loop on this very topic.
     * The aggregator's own letters (scores of an evaluation never planned, or after it was sealed) are not failures
     * of a checkpoint either: counting them would bring back the phantom runs they exist to prevent.
     */
    static List<SpecificRecord> failureOfARun(byte[] value) {
        DeadLetter d;
        try {
            d = value == null ? null : DEAD_LETTER_READER.deserialize(Topics.DEAD_LETTERS.name(), value);
        } catch (RuntimeException e) {
            return List.of();
        }
        if (d == null || d.getRunId() == null || d.getRunId().isBlank()
                || DecodeOrDeadLetter.COMPONENT.equals(d.getComponent())) {
            return List.of();
        }
        d.setKey(null);
        d.setValue(null);
        return List.of(d);
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
