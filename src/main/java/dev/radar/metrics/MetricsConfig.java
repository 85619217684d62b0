package dev.radar.metrics;

import dev.radar.config.RadarProperties;

/**
 * Metrics settings. {@code /metrics} is served by the process's one HTTP server (keys {@code web.*}: port 9404, or
 * 8080 in a process that serves the page).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>metrics.enabled</td><td>true</td><td>serve /metrics</td></tr>
 *   <tr><td>metrics.jvm</td><td>true</td><td>include JVM memory, GC, thread and processor metrics</td></tr>
 * </table>
 */
public record MetricsConfig(boolean enabled, boolean jvmMetrics) {

    public static MetricsConfig from(RadarProperties p) {
        return new MetricsConfig(p.getBoolean("metrics.enabled", true), p.getBoolean("metrics.jvm", true));
    }
}
