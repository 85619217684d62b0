package dev.radar.aggregate;

import dev.radar.FatalErrors;
import dev.radar.RadarException;
import dev.radar.Service;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.kafka.KafkaAccessErrors;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the aggregator topology as a Kafka Streams application (exactly-once) and answers {@link AbilityQueries}:
 * from its local stores when it runs alone, or, with {@code aggregator.replica.endpoint} set, from the stores of
 * every replica ({@link ReplicaQueries}), so any replica behind one Service answers with the full view. It answers
 * the other replicas' questions with {@link #replicaAnswer}, which the process's HTTP server mounts at
 * {@link #REPLICA_PATH}{@code <query>} (this package serves no HTTP itself).
 */
public final class AggregatorService implements Service, AbilityQueries {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorService.class);

    private final KafkaSettings kafka;
    private final AggregatorConfig cfg;
    /** Where the other replicas ask this one: {@code GET REPLICA_PATH + query + "?run=" + run}. */
    public static final String REPLICA_PATH = ReplicaCodec.PATH;
    /** The questions replicas ask each other (each but {@code runs} with a run id). */
    public static final List<String> REPLICA_QUERIES = ReplicaCodec.QUERIES;

    /** This instance's active tasks' stores; empty answers while not queryable. */
    private final StoreQueries local = new StoreQueries(name -> lookup(name, false));
    /** Its active and standby (and restoring) tasks' stores, possibly a little behind (KIP-535 stale stores). */
    private final StoreQueries withStandbys = new StoreQueries(name -> lookup(name, true));
    /** Its active tasks' stores, failing with InvalidStateStoreException while not queryable (for other replicas). */
    private final StoreQueries strictLocal = new StoreQueries(name -> queryableStore(name, false));
    /** Local answers, or those of every replica. */
    private final AbilityQueries queries;
    private final ReplicaQueries replicas;
    private volatile KafkaStreams streams;
    private MeterRegistry meters;
    private KafkaStreamsMetrics streamsMetrics;

    public AggregatorService(KafkaSettings kafka, AggregatorConfig cfg) {
        this.kafka = kafka;
        this.cfg = cfg;
        this.replicas = cfg.replicaEndpoint().isEmpty() ? null
                : new ReplicaQueries(local, withStandbys, this::otherReplicas, Duration.ofSeconds(5));
        this.queries = replicas == null ? local : replicas;
    }

    /**
     * Exports the Kafka Streams metrics (its embedded consumers' lag per partition, producers, tasks, stores) into
     * {@code meters} from the next {@link #start} (the process's registry renames them for Prometheus:
     * {@code dev.radar.metrics.KafkaMeterFilter}).
     */
    public synchronized void bindMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public String name() {
        return "aggregator";
    }

    /**
     * Creates missing topics, starts the application and waits (up to {@code aggregator.start.timeout.ms}) until it
     * is RUNNING.
     */
    @Override
    public synchronized void start() {
        if (streams != null) {
            return;
        }
        TopicAdmin.ensureTopics(kafka);
        KafkaStreams s = new KafkaStreams(AggregatorTopology.build(cfg), cfg.streamsProperties(kafka));
        s.setUncaughtExceptionHandler(e -> {
            if (FatalErrors.isFatal(e)) {
                // Replacing the thread would retry the same record forever (seen: an OutOfMemoryError every ~45 s).
                FatalErrors.onFatal("aggregator stream thread", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            if (KafkaAccessErrors.isAccessDenied(e)) {
                // Wrong credentials or ACLs: a replaced thread meets the same refusal (seen: a new thread every ~0.4 s).
                LOG.error("aggregator refused by Kafka, stopping; check the kafka.* security settings", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            // A processing bug must not silently stop aggregation: replace the thread (EOS aborts its transaction).
            LOG.error("aggregator stream thread failed, replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        s.setStateListener((now, before) -> LOG.info("aggregator {} -> {}", before, now));
        if (meters != null) {
            streamsMetrics = new KafkaStreamsMetrics(s);
            streamsMetrics.bindTo(meters);
        }
        s.start();
        streams = s;
        long deadline = System.currentTimeMillis() + cfg.startTimeoutMs();
        while (s.state() != KafkaStreams.State.RUNNING) {
            if (s.state() == KafkaStreams.State.ERROR || s.state() == KafkaStreams.State.NOT_RUNNING
                    || System.currentTimeMillis() > deadline) {
                KafkaStreams.State state = s.state();
                stop();
                throw new RadarException("aggregator did not reach RUNNING within aggregator.start.timeout.ms="
                        + cfg.startTimeoutMs() + " (state " + state + ") on " + kafka.bootstrapServers());
            }
            sleep(50);
        }
        LOG.info("aggregator running: application.id={}, state dir {}", cfg.applicationId(), cfg.stateDir());
    }

    @Override
    public synchronized void stop() {
        KafkaStreams s = streams;
        if (s == null) {
            return;
        }
        streams = null;
        if (streamsMetrics != null) {
            try {
                streamsMetrics.close();
            } catch (Exception e) {
                LOG.debug("closing the Kafka Streams metrics: {}", e.toString());
            }
            streamsMetrics = null;
        }
        // A dynamic member leaves the group: another instance (or this one restarted) takes the tasks over at once
        // instead of after the session timeout. A static member (aggregator.instance.id) stays: restarted within the
        // session timeout (a rolling update, a rescheduled pod) it gets its tasks back without any rebalance, and
        // the other replicas answer its keys from their standby copies meanwhile. Local state stays valid either way
        // (a clean close writes its checkpoint).
        CloseOptions.GroupMembershipOperation membership = cfg.instanceId().isEmpty()
                ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP;
        s.close(CloseOptions.groupMembershipOperation(membership).withTimeout(Duration.ofSeconds(30)));
    }

    /** The Streams client is running or rebalancing; false before start, after stop and once it failed. */
    @Override
    public boolean healthy() {
        KafkaStreams s = streams;
        return s != null && (s.state() == KafkaStreams.State.RUNNING || s.state() == KafkaStreams.State.REBALANCING);
    }

    public boolean running() {
        KafkaStreams s = streams;
        return s != null && s.state() == KafkaStreams.State.RUNNING;
    }

    /** Ready once RUNNING: while rebalancing or restoring its stores it answers nothing of its own. */
    @Override
    public String notReadyReason() {
        KafkaStreams s = streams;
        if (s == null) {
            return "not started";
        }
        return running() ? null : "Kafka Streams is " + s.state() + ", not RUNNING (rebalancing or restoring its stores)";
    }

    /** The store over this instance's active tasks, or with {@code withStandbys} also its standby tasks; null while not queryable. */
    private ReadOnlyKeyValueStore<String, ?> lookup(String store, boolean withStandbys) {
        try {
            return queryableStore(store, withStandbys);
        } catch (InvalidStateStoreException e) {
            LOG.debug("store {} not queryable now: {}", store, e.getMessage());
            return null;
        }
    }

    /** @throws InvalidStateStoreException while the store is not queryable (not started, stopped, migrating) */
    private ReadOnlyKeyValueStore<String, ?> queryableStore(String store, boolean withStandbys) {
        KafkaStreams s = streams;
        if (s == null) {
            throw new InvalidStateStoreException("the aggregator is not running");
        }
        StoreQueryParameters<ReadOnlyKeyValueStore<String, Object>> query =
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, Object>keyValueStore());
        return s.store(withStandbys ? query.enableStaleStores() : query);
    }

    /**
     * This replica's answer to another replica's {@code query} ({@link #REPLICA_QUERIES}) about {@code runId}, from
     * its active tasks' stores only (it never asks further, so questions cannot loop); empty while those are not all
     * queryable (stopping, rebalancing), so the asker falls back to its standby copies instead of taking an empty
     * answer for the truth.
     *
     * @throws IllegalArgumentException for an unknown query, or a missing run id where one is needed
     */
    public Optional<byte[]> replicaAnswer(String query, String runId) {
        if (!running()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ReplicaCodec.answer(strictLocal, query, runId));
        } catch (InvalidStateStoreException e) {
            LOG.debug("replica query {} not answerable now: {}", query, e.getMessage());
            return Optional.empty();
        }
    }

    /** This replica's own answers, from its active tasks' stores only (tests compare them with the full view). */
    AbilityQueries local() {
        return local;
    }

    /** Its active and standby tasks' stores (tests wait for the standby copies before stopping a replica). */
    AbilityQueries withStandbys() {
        return withStandbys;
    }

    /** The other replicas' endpoints, as Kafka Streams knows them now (empty before the first rebalance). */
    Collection<HostInfo> otherReplicas() {
        KafkaStreams s = streams;
        if (s == null) {
            return List.of();
        }
        HostInfo self = HostInfo.buildFromEndpoint(cfg.replicaEndpoint());
        try {
            return s.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).filter(h -> !h.equals(self)).toList();
        } catch (StreamsNotStartedException e) {
            return List.of();
        }
    }

    /**
     * Every evaluation of the run (current and replaced ones; see {@link EvaluationHistory}), over all replicas,
     * ordered by step, version and evaluation id.
     */
    public List<AbilityReport> history(String runId) {
        return guarded(() -> replicas == null ? local.history(runId) : replicas.history(runId), List.of());
    }

    @Override
    public List<String> runs() {
        return guarded(queries::runs, List.of());
    }

    @Override
    public List<AbilityReport> reports(String runId) {
        return guarded(() -> queries.reports(runId), List.of());
    }

    @Override
    public Map<String, List<CurvePoint>> curves(String runId) {
        return guarded(() -> queries.curves(runId), Map.of());
    }

    @Override
    public List<AbilityAlert> alerts(String runId) {
        return guarded(() -> queries.alerts(runId), List.of());
    }

    @Override
    public Optional<String> curvesVersion(String runId) {
        return guarded(() -> queries.curvesVersion(runId), Optional.empty());
    }

    @Override
    public List<dev.radar.events.DeadLetter> failures(String runId) {
        return guarded(() -> queries.failures(runId), List.of());
    }

    @Override
    public Optional<AbilityReport> latestComplete(String runId) {
        return guarded(() -> queries.latestComplete(runId), Optional.empty());
    }

    /**
     * Runs {@code query} once this instance is not rebalancing, waiting up to {@code aggregator.query.wait.ms}: while
     * it rebalances, its stores (standby copies included) are not queryable and the query would answer empty. A store
     * can also become unqueryable mid-iteration: that is retried within the same wait, then answered empty rather
     * than failing the caller.
     */
    private <T> T guarded(java.util.function.Supplier<T> query, T empty) {
        long deadline = System.currentTimeMillis() + cfg.queryWaitMs();
        while (true) {
            KafkaStreams s = streams;
            boolean rebalancing = s != null && s.state() == KafkaStreams.State.REBALANCING;
            boolean lastTry = System.currentTimeMillis() >= deadline;
            if (!rebalancing || lastTry) {
                try {
                    return query.get();
                } catch (InvalidStateStoreException e) {
                    if (lastTry) {
                        return empty;
                    }
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return empty;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while starting the aggregator", e);
        }
    }
}
