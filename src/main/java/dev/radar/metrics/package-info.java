/**
 * Metrics of every RADAR component, exposed in the Prometheus text format.
 *
 * <ul>
 *   <li>{@link dev.radar.metrics.RadarMetrics}: the Prometheus registry with JVM binders and helpers to bind
 *       Kafka clients and Kafka Streams; one per process.</li>
 *   <li>{@link dev.radar.metrics.MetricNames}: the pinned meter names shared by components, dashboards and alert
 *       rules (grafana/, deploy/prometheus/). Renaming one breaks those: the tests extract every PromQL expression
 *       and run it against a real Prometheus.</li>
 *   <li>{@link dev.radar.metrics.AbilityGauges}: ability, task, progress and stagnation gauges, computed only
 *       from {@code AbilityReport}/{@code AbilityAlert} events. Labels stay bounded (run, ability, task).</li>
 *   <li>{@link dev.radar.metrics.MetricsConfig}: whether {@code /metrics} is served (by the process's one HTTP
 *       server, added in {@code dev.radar.app}) and with JVM metrics.</li>
 * </ul>
 */
package dev.radar.metrics;
