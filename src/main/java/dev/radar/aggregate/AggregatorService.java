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
 * every replica ({@link ReplicaQueries}), serving its own to the others ({@link ReplicaEndpoint}), so any replica
 * behind one Service answers with the full view.
 */
public final class AggregatorService implements Service, AbilityQueries {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorService.class);

    private final KafkaSettings kafka;
    private final AggregatorConfig cfg;
    private final StoreQueries local = new StoreQueries(this::lookup);
    /** Local answers, or those of every replica. */
    private final AbilityQueries queries;
    private final ReplicaQueries replicas;
    private volatile KafkaStreams streams;
    private ReplicaEndpoint endpoint;
    private MeterRegistry meters;
    private KafkaStreamsMetrics streamsMetrics;

    public AggregatorService(KafkaSettings kafka, AggregatorConfig cfg) {
        this.kafka = kafka;
        this.cfg = cfg;
        this.replicas = cfg.replicaEndpoint().isEmpty() ? null
                : new ReplicaQueries(local, this::localHistory, this::otherReplicas, Duration.ofSeconds(5));
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
     * is RUNNING; with replicas, first opens the endpoint the other replicas query.
     */
    @Override
    public synchronized void start() {
        if (streams != null) {
            return;
        }
        TopicAdmin.ensureTopics(kafka);
        if (replicas != null && endpoint == null) {
            endpoint = new ReplicaEndpoint(cfg.replicaBindHost(), cfg.replicaPort(), local, this::localHistory);
        }
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
        if (endpoint != null) {
            endpoint.close();
            endpoint = null;
        }
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
        // Leave the group: another instance (or this one restarted) takes the tasks over at once instead of after
        // the session timeout; local state stays valid (a clean close writes its checkpoint).
        s.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
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

    private ReadOnlyKeyValueStore<String, ?> lookup(String store) {
        KafkaStreams s = streams;
        if (s == null) {
            return null;
        }
        try {
            return s.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, Object>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            LOG.debug("store {} not queryable now: {}", store, e.getMessage());
            return null;
        }
    }

    /** This replica's own answers, from its local stores only (tests compare them with the full view). */
    AbilityQueries local() {
        return local;
    }

    /** The other replicas' endpoints, as Kafka Streams knows them now (empty before the first rebalance). */
    private Collection<HostInfo> otherReplicas() {
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

    @SuppressWarnings("unchecked")
    private List<AbilityReport> localHistory(String runId) {
        return EvaluationHistory.of((ReadOnlyKeyValueStore<String, AbilityReport>) lookup(AggregatorTopology.HISTORY_STORE), runId);
    }

    /**
     * Every evaluation of the run (current and replaced ones; see {@link EvaluationHistory}), over all replicas,
     * ordered by step, version and evaluation id.
     */
    public List<AbilityReport> history(String runId) {
        return guarded(() -> replicas == null ? localHistory(runId) : replicas.history(runId), List.of());
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

    /** A store can become unqueryable mid-iteration (rebalance): answer empty rather than fail the caller. */
    private static <T> T guarded(java.util.function.Supplier<T> query, T empty) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            return empty;
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
