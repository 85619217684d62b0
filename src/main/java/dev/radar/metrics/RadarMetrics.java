package dev.radar.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's Prometheus registry (one per process) with JVM metrics and {@code radar_up}. The components bind
 * their own Kafka clients' and Kafka Streams' metrics (lag, request rates, ...) to it: the scorer its consumer and
 * producer, the aggregator its Streams client.
 */
public final class RadarMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RadarMetrics.class);
    /** Content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();
    // Strong references: Micrometer gauges only hold weak ones, and a collected holder would read NaN.
    private final Map<String, AtomicInteger> up = new ConcurrentHashMap<>();

    /** A registry with JVM memory, GC, thread, class loader and processor metrics. */
    public static RadarMetrics create() {
        return new RadarMetrics(true);
    }

    public static RadarMetrics create(MetricsConfig config) {
        return new RadarMetrics(config.jvmMetrics());
    }

    public RadarMetrics(boolean jvmMetrics) {
        // Before any Kafka meter exists (components bind their clients later): names and HELP lines of the Kafka
        // client and Streams meters fit Prometheus' conventions (promtool check metrics), in every process.
        registry.config().meterFilter(KafkaMeterFilter.INSTANCE);
        if (jvmMetrics) {
            new JvmMemoryMetrics().bindTo(registry);
            JvmGcMetrics gc = new JvmGcMetrics();  // holds GC notification listeners: closed with the registry
            gc.bindTo(registry);
            closeables.add(gc);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Sets {@code radar_up{component}} to 1 while the component is ready (set by the process's health check). */
    public void markUp(String component) {
        upHolder(component).set(1);
    }

    /** Sets {@code radar_up{component}} to 0: the component is stopping, or not ready. */
    public void markDown(String component) {
        upHolder(component).set(0);
    }

    private AtomicInteger upHolder(String component) {
        return up.computeIfAbsent(component, c -> {
            AtomicInteger holder = new AtomicInteger();
            Gauge.builder(MetricNames.UP, holder, AtomicInteger::get).tags(Tags.of("component", c))
                    .description("1 while the component is ready to work, 0 when not").strongReference(true).register(registry);
            return holder;
        });
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing metrics binder failed", e);
            }
        }
        closeables.clear();
        registry.close();
    }
}
