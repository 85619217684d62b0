package dev.radar;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when an {@link Error} (OutOfMemoryError, StackOverflowError, a linkage failure) escapes a RADAR
 * thread. Poll loops and stream threads survive every bad record, but an Error leaves the JVM in an unknown state:
 * the loop it killed would otherwise stay dead while the process, its health check and its {@code radar_up} gauge
 * all say it is fine. The command line {@link #install installs} a policy that ends the process with
 * {@link #EXIT_CODE}, so the orchestrator restarts it. Tests run components in-process without installing it, so
 * an Error there is only logged.
 */
public final class FatalErrors {
    /** Exit code of a process ended by an escaped Error (EX_SOFTWARE). */
    public static final int EXIT_CODE = 70;
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);
    private static volatile boolean installed;

    private FatalErrors() {
    }

    /** Makes an Error escaping any thread end the process; called once by the command line's main. */
    public static void install() {
        installed = true;
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (isFatal(e)) {
                halt(thread.getName(), e);
            } else {
                LOG.error("thread {} ended by an uncaught exception", thread.getName(), e);
            }
        });
    }

    /** True when {@code e} or one of its causes is an Error (frameworks such as Kafka Streams wrap them). */
    public static boolean isFatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error) {
                return true;
            }
        }
        return false;
    }

    /** For handlers that catch a Throwable themselves: ends the process when installed, else only logs. */
    public static void onFatal(String where, Throwable e) {
        if (installed) {
            halt(where, e);
        }
        LOG.error("fatal error in {} (process kept alive: not started from the command line)", where, e);
    }

    private static void halt(String where, Throwable e) {
        try {
            LOG.error("fatal error in {}; ending the process with exit code {} so it is restarted", where, EXIT_CODE, e);
            System.err.println("radar: fatal error in " + where + ": " + e + "; exiting with " + EXIT_CODE);
        } finally {
            // halt, not exit: shutdown hooks could block on the very threads that are broken.
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
