package dev.radar;

/**
 * The one lifecycle every RADAR component (broker, planner, scorer, aggregator, web server) implements,
 * so that the CLI and the demo start and stop them the same way.
 */
public interface Service extends AutoCloseable {

    /** Starts the service; returns once it is running (threads started, ports bound). */
    void start() throws Exception;

    /** Stops the service, finishing or abandoning in-flight work cleanly; idempotent. */
    void stop();

    /** Short name used in logs and metrics. */
    String name();

    @Override
    default void close() {
        stop();
    }
}
