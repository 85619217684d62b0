package dev.radar.cli;

import dev.radar.Service;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.KafkaSettings;
import dev.radar.metrics.AbilityGaugeRefresher;
import dev.radar.metrics.AbilityGauges;
import dev.radar.metrics.RadarMetrics;
import dev.radar.web.WebConfig;
import dev.radar.web.WebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code radar aggregator}: the Kafka Streams aggregator plus what reads its state stores: the web page and REST API
 * ({@code web.port}, on unless {@code web.enabled=false}) and the ability gauges on {@code /metrics}.
 */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = {"Run the aggregator (Kafka Streams): sample scores -> ability reports, curves and stagnation alerts;",
                "with the web page, REST API (web.port, default 8080) and metrics (metrics.port, default 9404)."})
public final class AggregatorCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorCommand.class);

    @Mixin
    ConfigOption config;

    @Mixin
    KafkaOption kafkaOption;

    @Option(names = "--progress-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "Log a progress line every N seconds (default ${DEFAULT-VALUE}; 0 = never).")
    int progressSeconds;

    @Option(names = "--no-web", description = "Do not serve the web page and API (same as web.enabled=false).")
    boolean noWeb;

    @Override
    public Integer call() throws Exception {
        RadarProperties props = kafkaOption.applyTo(config.load());
        KafkaSettings kafka = new KafkaSettings(props);
        AggregatorService aggregator = new AggregatorService(kafka, AggregatorConfig.from(props));
        boolean web = !noWeb && props.getBoolean("web.enabled", true);
        if (progressSeconds > 0) {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "aggregator-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(() -> logProgress(aggregator), progressSeconds, progressSeconds, TimeUnit.SECONDS);
        }
        return Foreground.run(props, metrics -> {
            aggregator.bindMetrics(metrics);
            List<Service> services = new ArrayList<>(List.of(aggregator,
                    new AbilityGaugeRefresher(aggregator, new AbilityGauges(metrics.registry()),
                            props.getLong("metrics.refresh.ms", 5000))));
            if (web) {
                services.add(webServer(props, kafka, aggregator, metrics));
            }
            return services;
        });
    }

    /** The web server, owning the producer behind POST /api/checkpoints. */
    private static Service webServer(RadarProperties props, KafkaSettings kafka, AggregatorService aggregator,
                                     RadarMetrics metrics) {
        return new Service() {
            private CheckpointPublisher publisher;
            private WebServer server;

            @Override
            public void start() throws Exception {
                publisher = new CheckpointPublisher(kafka, "radar-web");
                server = new WebServer(WebConfig.from(props), aggregator, publisher, metrics.registry());
                server.start();
                System.err.println("radar: web page at " + server.url());
            }

            @Override
            public void stop() {
                if (server != null) {
                    server.stop();
                    publisher.close();
                    server = null;
                }
            }

            @Override
            public String name() {
                return "web";
            }
        };
    }

    private static void logProgress(AggregatorService service) {
        List<String> runs = service.runs();
        for (String run : runs) {
            service.latestComplete(run).ifPresentOrElse(
                    r -> LOG.info("run {}: latest complete step {} ({} reports)", run, r.getStep(), service.reports(run).size()),
                    () -> LOG.info("run {}: no complete checkpoint yet", run));
        }
        if (runs.isEmpty()) {
            LOG.info("aggregator {}: no runs yet", service.running() ? "running" : "not running");
        }
    }
}
