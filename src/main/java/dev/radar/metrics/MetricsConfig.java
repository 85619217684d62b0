package dev.radar.metrics;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;

/**
 * Metrics endpoint settings.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>metrics.enabled</td><td>true</td><td>serve /metrics and /health at all</td></tr>
 *   <tr><td>metrics.host</td><td>0.0.0.0</td><td>address to bind (127.0.0.1 keeps it local)</td></tr>
 *   <tr><td>metrics.port</td><td>9404</td><td>port of /metrics and /health; 0 = any free port</td></tr>
 *   <tr><td>metrics.jvm</td><td>true</td><td>include JVM memory, GC, thread and processor metrics</td></tr>
 * </table>
 */
public record MetricsConfig(boolean enabled, String host, int port, boolean jvmMetrics) {

    public static final int DEFAULT_PORT = 9404;

    public MetricsConfig {
        if (port < 0 || port > 65535) {
            throw new RadarException("metrics.port must be 0..65535, was " + port);
        }
    }

    public static MetricsConfig from(RadarProperties p) {
        return new MetricsConfig(p.getBoolean("metrics.enabled", true), p.get("metrics.host", "0.0.0.0"),
                p.getInt("metrics.port", DEFAULT_PORT), p.getBoolean("metrics.jvm", true));
    }

    /** Loopback, free port: for tests and the demo. */
    public static MetricsConfig loopbackAnyPort() {
        return new MetricsConfig(true, "127.0.0.1", 0, true);
    }
}
