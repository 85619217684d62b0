/**
 * The composition root: the one place that turns configuration and a process's roles (broker, planner, scorer,
 * aggregator, web, watch) into running components, used by every command and by the demo.
 *
 * <ul>
 *   <li>{@link dev.radar.app.Assembly}: builds the components of a set of {@link dev.radar.app.Role}s, validates their
 *       configuration before anything starts, starts them in order (HTTP port, Kafka reachable, topics, components)
 *       and stops them in reverse.</li>
 *   <li>{@link dev.radar.app.Health}: live and ready per component from its real state, served at
 *       {@code /health/live} and {@code /health/ready}, mirrored in {@code radar_up}.</li>
 * </ul>
 * May import every component package; none imports this one (the CLI and the demo do).
 */
package dev.radar.app;
