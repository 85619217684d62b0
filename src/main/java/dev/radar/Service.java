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
     * Kafka Streams client is no longer running. Drives {@code /health/live} and the command line's
     * exit: a process whose service stopped working must not look healthy.
     */
    default boolean healthy() {
        return true;
    }

    /**
     * Whether the service is ready to do its work now (e.g. its consumer is a group member, its model runtime
     * works); a healthy service may be not ready for a while. Drives {@code /health/ready} and {@code radar_up}.
     */
    default boolean ready() {
        return notReadyReason() == null;
    }

    /**
     * Why the service is not {@link #ready()} now, in one short line for {@code /health/ready}; null when it is ready.
     * Override where the service knows more than {@link #healthy()}.
     */
    default String notReadyReason() {
        return healthy() ? null : "not running";
    }

    /** Short name used in logs and metrics. */
    String name();

    @Override
    default void close() {
        stop();
    }
}
