package dev.radar.cli;

import dev.radar.Service;
import dev.radar.config.RadarProperties;
import dev.radar.metrics.MetricsConfig;
import dev.radar.metrics.MetricsServer;
import dev.radar.metrics.RadarMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Runs services in the foreground until Ctrl-C, with their metrics on {@code metrics.port}; each started service
 * is reported up ({@code radar_up{component}}) and services stop in reverse order.
 */
final class Foreground {
    private Foreground() {
    }

    static int run(RadarProperties props, Function<RadarMetrics, List<Service>> build) throws Exception {
        MetricsConfig metricsConfig = MetricsConfig.from(props);
        RadarMetrics metrics = RadarMetrics.create(metricsConfig);
        List<Service> services = new ArrayList<>(build.apply(metrics));
        services.add(new MetricsServer(metrics, metricsConfig));
        List<Service> started = new ArrayList<>();
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
        stopped.await();
        return 0;
    }

    /** {@code scorer:gpu-3} reports as component {@code scorer}: label values stay bounded. */
    static String component(Service s) {
        String n = s.name();
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }
}
