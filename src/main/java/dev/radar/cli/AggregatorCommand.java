package dev.radar.cli;

import dev.radar.aggregate.AggregatorService;
import dev.radar.app.Role;
import dev.radar.config.RadarProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code radar aggregator}: the Kafka Streams aggregator plus what reads its state stores: the web page and REST API
 * (on unless {@code web.enabled=false}) and the ability gauges, all on the process's one HTTP port ({@code web.port}).
 */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = {"Run the aggregator (Kafka Streams): sample scores -> ability reports, curves and stagnation alerts;",
                "with the web page, REST API, /metrics and /health/* on one port (web.port, default 8080, bound to web.bind)."})
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
        boolean web = !noWeb && props.getBoolean("web.enabled", true);
        Set<Role> roles = web ? EnumSet.of(Role.AGGREGATOR, Role.WEB) : EnumSet.of(Role.AGGREGATOR);
        return Foreground.run(props, roles, assembly -> {
            if (progressSeconds > 0) {
                AggregatorService aggregator = assembly.aggregator().orElseThrow();
                ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "aggregator-progress");
                    t.setDaemon(true);
                    return t;
                });
                timer.scheduleAtFixedRate(() -> logProgress(aggregator), progressSeconds, progressSeconds, TimeUnit.SECONDS);
            }
        });
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
