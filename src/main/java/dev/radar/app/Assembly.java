package dev.radar.app;

import dev.radar.RadarException;
import dev.radar.Service;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.metrics.AbilityGaugeRefresher;
import dev.radar.metrics.AbilityGauges;
import dev.radar.metrics.MetricsConfig;
import dev.radar.metrics.RadarMetrics;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import dev.radar.scoring.worker.ScorerConfig;
import dev.radar.scoring.worker.ScorerService;
import dev.radar.watch.CheckpointWatcher;
import dev.radar.watch.WatchConfig;
import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.web.ApiRoutes;
import dev.radar.web.WebConfig;
import dev.radar.web.WebReply;
import dev.radar.web.WebRoute;
import dev.radar.web.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The composition root: assembles a process's components from its configuration and {@link Role}s. Every command
 * and the demo build their components here, so each is wired once.
 *
 * <p>Start order, each step failing with one clear line: configuration checks (in {@link #of}); the embedded broker
 * when the process hosts one; the HTTP port (a taken port fails before any Kafka wait); Kafka reachable within
 * {@code startup.timeout.ms}; topics (created, or checked when {@code topics.create=false}); then planner, scorer,
 * aggregator, gauges, the web publisher and the watcher. {@link #stop} goes in reverse.
 *
 * <table>
 *   <caption>Keys read here (the components' own keys are in their Config classes)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>broker.port</td><td>9092</td><td>client port of the embedded broker (role broker; 0 = any free port)</td></tr>
 *   <tr><td>broker.data.dir</td><td>(temporary)</td><td>the embedded broker's log folder, kept across restarts</td></tr>
 *   <tr><td>metrics.refresh.ms</td><td>5000</td><td>how often the ability gauges follow the aggregator's stores</td></tr>
 * </table>
 */
public final class Assembly implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Assembly.class);

    private final Set<Role> roles;
    private final RadarMetrics metrics;
    private final Health health;
    private final List<Service> started = new ArrayList<>();
    private RadarProperties props;
    private KafkaSettings kafka;
    private WebServer http;
    private AggregatorService aggregator;
    private CheckpointPublisher publisher;

    private Assembly(RadarProperties props, Set<Role> roles) {
        this.props = props;
        this.roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
        this.metrics = RadarMetrics.create(MetricsConfig.from(props));
        this.health = new Health(metrics);
    }

    /** Checks the configuration of {@code roles} (nothing started yet); a mistake is a {@link RadarException}. */
    public static Assembly of(RadarProperties props, Set<Role> roles) {
        if (roles.contains(Role.WEB) && !roles.contains(Role.AGGREGATOR)) {
            throw new RadarException("the web page reads the aggregator's state: role web needs role aggregator");
        }
        if (roles.contains(Role.PLANNER) && PlannerConfig.from(props).allowedRoots().isEmpty()) {
            throw new RadarException("planner.allowed.roots is not set: name the folder(s) checkpoints are saved under"
                    + " (e.g. -D planner.allowed.roots=/ckpt); events for any other path are dead-lettered");
        }
        if (servesHttp(roles)) {
            webConfig(props, roles).requireSafe(roles.contains(Role.WEB));
        }
        return new Assembly(props, roles);
    }

    /** A broker-only process serves no HTTP: it would take the port a planner or scorer beside it needs. */
    private static boolean servesHttp(Set<Role> roles) {
        return !roles.isEmpty() && !roles.equals(EnumSet.of(Role.BROKER));
    }

    private static WebConfig webConfig(RadarProperties props, Set<Role> roles) {
        return WebConfig.from(props, roles.contains(Role.WEB) ? WebConfig.PAGE_PORT : WebConfig.METRICS_PORT);
    }

    /** Starts everything in order; on failure, stops what already started and rethrows. */
    public synchronized void start() throws Exception {
        try {
            startInOrder();
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    private void startInOrder() throws Exception {
        if (roles.contains(Role.BROKER)) {
            String dir = props.get("broker.data.dir", "");
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.isBlank() ? null : Path.of(dir),
                    props.getInt("broker.port", 9092));
            startWatched(broker);
            props = props.with(KafkaSettings.BOOTSTRAP, broker.bootstrapServers());
        }
        kafka = new KafkaSettings(props);
        List<Service> components = new ArrayList<>();
        if (roles.contains(Role.PLANNER)) {
            components.add(new PlannerService(kafka, PlannerConfig.from(props), metrics.registry()));
        }
        if (roles.contains(Role.SCORER)) {
            components.add(new ScorerService(kafka, ScorerConfig.from(props), metrics.registry()));
        }
        if (roles.contains(Role.AGGREGATOR)) {
            aggregator = new AggregatorService(kafka, AggregatorConfig.from(props));
            aggregator.bindMetrics(metrics.registry());
            components.add(aggregator);
            components.add(new AbilityGaugeRefresher(aggregator, new AbilityGauges(metrics.registry()),
                    props.getLong("metrics.refresh.ms", 5000)));
        }
        if (roles.contains(Role.WATCH)) {
            components.add(new CheckpointWatcher(WatchConfig.from(props), kafka));
        }
        if (servesHttp(roles)) {
            http = new WebServer(webConfig(props, roles));
            addHealthAndMetricsRoutes(http);
            if (aggregator != null) {
                addReplicaRoutes(http, aggregator);
            }
            if (roles.contains(Role.WEB)) {
                publisher = new CheckpointPublisher(kafka, "radar-web");
                ApiRoutes.addTo(http, aggregator, publisher, intakeValidator(props));
            }
            startWatched(http);
        }
        TopicAdmin.requireReachable(kafka);
        TopicAdmin.ensureTopics(kafka);
        for (Service s : components) {
            startWatched(s);
        }
        health.allStarted();
    }

    private void startWatched(Service s) throws Exception {
        s.start();
        started.add(s);
        health.add(s);
        LOG.debug("{} started", s.name());
    }

    /**
     * The planner's rules, applied to POST /api/checkpoints before publishing so a training job hears at once that
     * its checkpoint cannot be evaluated. With {@code web.validate.content=true} (default) the folder's content is
     * checked too, which needs the checkpoints mounted where the web server runs, as they are for the planner.
     */
    private static CheckpointValidator intakeValidator(RadarProperties props) {
        CheckpointConfig config = CheckpointConfig.from(props);
        return props.getBoolean("web.validate.content", true)
                ? CheckpointValidator.withContent(config) : new CheckpointValidator(config.allowedRoots());
    }

    private void addHealthAndMetricsRoutes(WebServer server) {
        server.get("/health/live", r -> health.liveReply())
                .get("/health/ready", r -> health.readyReply())
                .get("/health", r -> health.readyReply());
        if (MetricsConfig.from(props).enabled()) {
            // radar_up as of this scrape, not as of the last watchdog tick
            server.get("/metrics", metricsRoute(metrics, health::ready));
        }
    }

    /**
     * {@code GET /replica/<query>?run=R}: the aggregator's local answers to its other replicas (they reach this
     * server at {@code aggregator.replica.endpoint}). No token: the same data as the public GET API. GET only; 503
     * while its stores are not queryable, so the asker uses its standby copies.
     */
    private static void addReplicaRoutes(WebServer server, AggregatorService aggregator) {
        for (String query : AggregatorService.REPLICA_QUERIES) {
            server.get(AggregatorService.REPLICA_PATH + query, request -> {
                if (!request.method().equals("GET")) {
                    return WebReply.error(405, "use GET on " + request.path());
                }
                return aggregator.replicaAnswer(query, request.query().get("run"))
                        .map(bytes -> new WebReply(200, "application/octet-stream", bytes))
                        .orElseGet(() -> WebReply.error(503, "this aggregator replica's stores are not queryable now"));
            });
        }
    }

    /** {@code GET /metrics}: the registry in Prometheus text format, after {@code beforeScrape} (e.g. radar_up). */
    public static WebRoute metricsRoute(RadarMetrics metrics, Runnable beforeScrape) {
        return request -> {
            beforeScrape.run();
            return WebReply.text(200, RadarMetrics.CONTENT_TYPE, metrics.scrape());
        };
    }

    /** Stops every started component in reverse order; idempotent. */
    public synchronized void stop() {
        health.stopping();
        for (int i = started.size() - 1; i >= 0; i--) {
            Service s = started.get(i);
            try {
                s.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping {}: {}", s.name(), e.toString());
            }
            if (s == http && publisher != null) {
                publisher.close();
                publisher = null;
            }
        }
        started.clear();
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        metrics.close();
    }

    @Override
    public void close() {
        stop();
    }

    public Health health() {
        return health;
    }

    public RadarMetrics metrics() {
        return metrics;
    }

    /** The configuration as started (with the embedded broker's address when the process hosts one). */
    public RadarProperties properties() {
        return props;
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public Optional<AggregatorService> aggregator() {
        return Optional.ofNullable(aggregator);
    }

    /** The process's HTTP server; empty for a broker-only process. */
    public Optional<WebServer> http() {
        return Optional.ofNullable(http);
    }

    /** The started components, in start order. */
    public List<Service> services() {
        return List.copyOf(started);
    }
}
