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

    /**
     * Whether the service can still do its work: false once its loop has ended (failed, fenced, stopped) or its
     * Kafka Streams client is no longer running. Drives {@code /health}, {@code radar_up} and the command line's
     * exit: a process whose service stopped working must not look healthy.
     */
    default boolean healthy() {
        return true;
    }

    /** Short name used in logs and metrics. */
    String name();

    @Override
    default void close() {
        stop();
    }
}
