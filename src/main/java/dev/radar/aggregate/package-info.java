/**
 * The aggregator: a Kafka Streams application that turns per-sample scores into per-ability reports and curves.
 *
 * <p>{@link dev.radar.aggregate.AggregatorTopology#build} folds {@code radar.sample-scores} and
 * {@code radar.evaluations} (co-partitioned by runId/step) into per-evaluation totals per task (a re-evaluation is
 * its own evaluation and replaces the step's report only once complete), deduplicated by (evaluation, task,
 * sample); scores of an evaluation never planned are held, then dead-lettered; it emits {@link dev.radar.events.AbilityReport}s to the compacted
 * {@code radar.ability-reports} (partial ones rate-limited, with progress once the plan is known; the complete one
 * always), keeps per-run curves ordered by step, and raises stagnation/recovery
 * {@link dev.radar.events.AbilityAlert}s on {@code radar.alerts}. Undecodable input goes to
 * {@code radar.dead-letters}. {@link dev.radar.aggregate.AggregatorService} runs it exactly-once and answers
 * {@link dev.radar.aggregate.AbilityQueries}; {@link dev.radar.aggregate.AggregatorConfig} lists the settings.
 *
 * <p>State: checkpoint states stay live in memory ({@code LiveStore}) and every change is written through before the
 * next record, so exactly-once holds; a new sample is a single write of its id and count into a chunk of the seen
 * store ({@code SeenSamples}), from which the totals are rebuilt when a state is loaded; sample ids of evaluations
 * complete for longer than the retention are deleted (sealed). Replicas: {@code AggregatorService#replicaAnswer}
 * answers the other replicas from this one's stores (the process's HTTP server mounts it at {@code /replica/...};
 * this package serves no HTTP) and {@code ReplicaQueries} merges the answers, falling back to this replica's standby
 * copies for one that does not answer, so every replica answers with the full view.
 */
package dev.radar.aggregate;
