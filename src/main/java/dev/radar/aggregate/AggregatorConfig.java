package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Settings of the aggregator, read from {@link RadarProperties}.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>aggregator.application.id</td><td>radar-aggregator</td><td>Kafka Streams application id (consumer group, internal topic prefix)</td></tr>
 *   <tr><td>aggregator.state.dir</td><td>${java.io.tmpdir}/radar-aggregator</td><td>local state (RocksDB) directory</td></tr>
 *   <tr><td>aggregator.threads</td><td>1</td><td>stream threads</td></tr>
 *   <tr><td>aggregator.commit.interval.ms</td><td>100</td><td>transaction commit interval; bounds report latency</td></tr>
 *   <tr><td>aggregator.cache.max.bytes</td><td>10485760</td><td>record cache shared by the stores</td></tr>
 *   <tr><td>aggregator.report.interval.ms</td><td>1000</td><td>at most one partial report per checkpoint per interval (complete reports always go out)</td></tr>
 *   <tr><td>aggregator.report.every.samples</td><td>0</td><td>also emit a partial report every K new samples (0 = off)</td></tr>
 *   <tr><td>aggregator.stagnation.window</td><td>5</td><td>completed checkpoints in the stagnation window</td></tr>
 *   <tr><td>aggregator.stagnation.min.gain</td><td>0.01</td><td>m: reasoning stagnates only when the upper bound of its SDS gain over the window, gain + k * se(gain), stays below m</td></tr>
 *   <tr><td>aggregator.stagnation.stderr.factor</td><td>2.0</td><td>k: width of the bounds in standard errors of the fitted gain (2 = about 97.7% one-sided)</td></tr>
 *   <tr><td>aggregator.perception.min.gain</td><td>0.01</td><td>perception must gain at least this, and more than reasoning by k standard errors of the difference, for a stagnation alert</td></tr>
 *   <tr><td>aggregator.stagnation.min.samples</td><td>100</td><td>no stagnation verdict while a checkpoint of the window has fewer scored samples of perception or reasoning</td></tr>
 *   <tr><td>aggregator.curve.max.steps</td><td>1000</td><td>completed checkpoints kept per run and benchmark version (oldest steps dropped)</td></tr>
 *   <tr><td>aggregator.alerts.max</td><td>100</td><td>recent alerts kept per run for queries</td></tr>
 *   <tr><td>aggregator.unplanned.hold.ms</td><td>3600000</td><td>how long (in record time) scores of an evaluation whose plan has not arrived are held; then they are dead-lettered as unknown-evaluation and dropped, so a score for an evaluation never planned leaves no run behind</td></tr>
 *   <tr><td>aggregator.seen.retention.ms</td><td>3600000</td><td>how long (in record time) after completion the sample ids of an evaluation are kept for dedupe; then the evaluation is sealed (totals kept, ids dropped) and any later sample of it is dead-lettered as evaluation-sealed. 0 = seal at completion</td></tr>
 *   <tr><td>aggregator.maintenance.interval.ms</td><td>10000</td><td>how often (in record time) held and completed evaluations are checked against the two limits above</td></tr>
 *   <tr><td>aggregator.start.timeout.ms</td><td>120000</td><td>how long start-up waits for the Streams client to reach RUNNING (state restore included) before giving up</td></tr>
 *   <tr><td>aggregator.standby.replicas</td><td>1</td><td>warm copies of each task's state on other instances (Kafka Streams num.standby.replicas), so a replica takes over without a full restore; without a second instance nothing is kept</td></tr>
 *   <tr><td>aggregator.instance.id</td><td>(none)</td><td>static group membership (group.instance.id, per stream thread suffixed by Kafka Streams): a restarted instance with the same id gets its tasks back without a rebalance. Must be unique per instance (e.g. the pod name of a StatefulSet)</td></tr>
 *   <tr><td>aggregator.session.timeout.ms</td><td>10000</td><td>consumer session timeout: how long a killed instance holds its tasks before others take them over</td></tr>
 *   <tr><td>aggregator.replica.endpoint</td><td>(none)</td><td>host:port at which the other replicas reach this process's HTTP server (Kafka Streams application.server), so the port is this process's web.port; they ask it GET /replica/... for this replica's stores. Unset = a single instance answering from its own stores</td></tr>
 *   <tr><td>aggregator.query.wait.ms</td><td>2000</td><td>how long a page or API query waits for a rebalance of this instance to end (its stores are not queryable meanwhile; rebalances measured 0.05 to 1 s) before answering from what is queryable</td></tr>
 *   <tr><td>aggregator.live.max</td><td>256</td><td>live state objects kept in memory per task: checkpoint states with their seen sample ids, and run curves; older ones are reloaded from the stores on use</td></tr>
 * </table>
 */
public record AggregatorConfig(String applicationId, Path stateDir, int threads, long commitIntervalMs,
                               long cacheMaxBytes, long reportIntervalMs, int reportEverySamples,
                               int stagnationWindow, double stagnationMinGain, double stderrFactor,
                               double perceptionMinGain, int stagnationMinSamples, int curveMaxSteps, int alertsMax,
                               int liveMax, long unplannedHoldMs, long seenRetentionMs, long maintenanceIntervalMs,
                               long startTimeoutMs, int standbyReplicas, String instanceId, int sessionTimeoutMs,
                               String replicaEndpoint, long queryWaitMs) {

    public static final String PREFIX = "aggregator.";

    public AggregatorConfig {
        if (stagnationWindow < 3) {
            throw new IllegalArgumentException("aggregator.stagnation.window must be >= 3 (a slope needs points), was " + stagnationWindow);
        }
        if (curveMaxSteps < stagnationWindow) {
            throw new IllegalArgumentException("aggregator.curve.max.steps must be >= the stagnation window");
        }
        if (threads < 1 || reportIntervalMs < 0 || reportEverySamples < 0 || alertsMax < 1 || liveMax < 1) {
            throw new IllegalArgumentException(
                    "aggregator settings out of range: threads >= 1, intervals >= 0, alerts.max >= 1, live.max >= 1");
        }
        if (unplannedHoldMs < 1 || seenRetentionMs < 0 || maintenanceIntervalMs < 1 || startTimeoutMs < 1
                || standbyReplicas < 0 || sessionTimeoutMs < 1 || queryWaitMs < 0) {
            throw new IllegalArgumentException("aggregator settings out of range: unplanned.hold.ms, "
                    + "maintenance.interval.ms, start.timeout.ms, session.timeout.ms >= 1; seen.retention.ms, "
                    + "standby.replicas, query.wait.ms >= 0");
        }
        if (!replicaEndpoint.isEmpty() && !replicaEndpoint.matches("[^:\\s]+:\\d{1,5}")) {
            throw new IllegalArgumentException("aggregator.replica.endpoint must be host:port, was '" + replicaEndpoint + "'");
        }
    }

    public static AggregatorConfig defaults() {
        return from(RadarProperties.empty());
    }

    public static AggregatorConfig from(RadarProperties p) {
        // Removed in favour of the one HTTP server per process: refuse it rather than silently listen elsewhere.
        if (p.get(PREFIX + "replica.bind", null) != null) {
            throw new IllegalArgumentException("aggregator.replica.bind is no longer used: replicas answer each other "
                    + "on this process's HTTP server (web.bind, web.port); set aggregator.replica.endpoint to host:web.port");
        }
        return new AggregatorConfig(
                p.get(PREFIX + "application.id", "radar-aggregator"),
                Path.of(p.get(PREFIX + "state.dir", Path.of(System.getProperty("java.io.tmpdir"), "radar-aggregator").toString())),
                p.getInt(PREFIX + "threads", 1),
                p.getLong(PREFIX + "commit.interval.ms", 100),
                p.getLong(PREFIX + "cache.max.bytes", 10L * 1024 * 1024),
                p.getLong(PREFIX + "report.interval.ms", 1000),
                p.getInt(PREFIX + "report.every.samples", 0),
                p.getInt(PREFIX + "stagnation.window", 5),
                p.getDouble(PREFIX + "stagnation.min.gain", 0.01),
                p.getDouble(PREFIX + "stagnation.stderr.factor", 2.0),
                p.getDouble(PREFIX + "perception.min.gain", 0.01),
                p.getInt(PREFIX + "stagnation.min.samples", 100),
                p.getInt(PREFIX + "curve.max.steps", 1000),
                p.getInt(PREFIX + "alerts.max", 100),
                p.getInt(PREFIX + "live.max", 256),
                p.getLong(PREFIX + "unplanned.hold.ms", 3_600_000L),
                p.getLong(PREFIX + "seen.retention.ms", 3_600_000L),
                p.getLong(PREFIX + "maintenance.interval.ms", 10_000L),
                p.getLong(PREFIX + "start.timeout.ms", 120_000L),
                p.getInt(PREFIX + "standby.replicas", 1),
                p.get(PREFIX + "instance.id", "").trim(),
                p.getInt(PREFIX + "session.timeout.ms", 10_000),
                p.get(PREFIX + "replica.endpoint", "").trim(),
                p.getLong(PREFIX + "query.wait.ms", 2000));
    }

    /** Kafka Streams properties: every {@code kafka.*} client setting plus the aggregator's own, exactly-once. */
    public Properties streamsProperties(KafkaSettings kafka) {
        Properties p = kafka.common(applicationId);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheMaxBytes);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) kafka.replication());
        // Scores and plans share a task; order between them does not matter (scores may precede their plan), so
        // never stall a task waiting for data on an idle input: with the default it waits on every fetch round.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // One fetch is in flight per broker; when it holds only idle partitions (plans, the repartition topic), the
        // broker parks it for fetch.max.wait.ms while the busy sample-scores partitions wait behind it.
        p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 20);
        // A new application reads the whole history: scores produced before it started must count.
        p.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), sessionTimeoutMs);
        // The heartbeat must fit several times into the session, or a shorter session only causes false expiries.
        p.putIfAbsent(StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                Math.max(500, sessionTimeoutMs / 4));
        if (!instanceId.isEmpty()) {
            // Kafka Streams suffixes it per stream thread (-1, -2...), so one key serves every thread.
            p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        if (!replicaEndpoint.isEmpty()) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, replicaEndpoint);
        }
        return p;
    }
}
