package dev.radar.cli;

import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code radar aggregator}: runs the aggregator until Ctrl-C, logging progress now and then. */
@Command(name = "aggregator", mixinStandardHelpOptions = true,
        description = "Run the aggregator (Kafka Streams): sample scores -> ability reports, curves and stagnation alerts.")
public final class AggregatorCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatorCommand.class);

    @Mixin
    ConfigOption config;

    @Option(names = "--progress-every", paramLabel = "SECONDS", defaultValue = "30",
            description = "Log a progress line every N seconds (default ${DEFAULT-VALUE}; 0 = never).")
    int progressSeconds;

    @Override
    public Integer call() throws Exception {
        RadarProperties props = config.load();
        AggregatorService service = new AggregatorService(new KafkaSettings(props), AggregatorConfig.from(props));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping the aggregator");
            service.stop();
            stopped.countDown();
        }, "aggregator-shutdown"));
        service.start();
        LOG.info("aggregator started on {}; Ctrl-C to stop", new KafkaSettings(props).bootstrapServers());
        while (!stopped.await(progressSeconds > 0 ? progressSeconds : 3600, TimeUnit.SECONDS)) {
            if (progressSeconds > 0) {
                logProgress(service);
            }
        }
        return 0;
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
