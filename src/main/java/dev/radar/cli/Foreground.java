package dev.radar.cli;

import dev.radar.Service;
import dev.radar.config.RadarProperties;
import dev.radar.metrics.MetricsConfig;
import dev.radar.metrics.MetricsServer;
import dev.radar.metrics.RadarMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs services in the foreground until Ctrl-C, with their metrics on {@code metrics.port}; each started service
 * is reported up ({@code radar_up{component}}) while it is {@link Service#healthy() healthy}, and services stop in
 * reverse order. {@code /health} answers 503 as soon as one service stops working, and the process then exits
 * with {@link #SERVICE_FAILED} so that an orchestrator restarts it: a scorer whose loop died must not stay up,
 * "healthy" and idle.
 */
final class Foreground {
    /** Exit code when a service stopped working on its own (its loop ended, its Streams client failed). */
    static final int SERVICE_FAILED = 3;
    /** How often the watchdog looks at the services' health. */
    private static final long WATCH_MS = 500;

    private Foreground() {
    }

    static int run(RadarProperties props, Function<RadarMetrics, List<Service>> build) throws Exception {
        MetricsConfig metricsConfig = MetricsConfig.from(props);
        RadarMetrics metrics = RadarMetrics.create(metricsConfig);
        List<Service> services = new ArrayList<>(build.apply(metrics));
        List<Service> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        services.add(new MetricsServer(metrics, metricsConfig, () -> started.stream().allMatch(Service::healthy)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = started.size() - 1; i >= 0; i--) {
                metrics.markDown(component(started.get(i)));
                started.get(i).stop();
            }
            metrics.close();
            stopped.countDown();
        }, "radar-shutdown"));
        for (Service s : services) {
            s.start();
            started.add(s);
            metrics.markUp(component(s));
            System.err.println("radar: " + s.name() + " started");
        }
        System.err.println("radar: running; Ctrl-C to stop");
        while (!stopped.await(WATCH_MS, TimeUnit.MILLISECONDS)) {
            for (Service s : started) {
                if (!s.healthy()) {
                    metrics.markDown(component(s));
                    System.err.println("radar: " + s.name() + " stopped working (see the log above); exiting with "
                            + SERVICE_FAILED + " so that it is restarted");
                    return SERVICE_FAILED;
                }
            }
        }
        return 0;
    }

    /** {@code scorer:gpu-3} reports as component {@code scorer}: label values stay bounded. */
    static String component(Service s) {
        String n = s.name();
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }
}
