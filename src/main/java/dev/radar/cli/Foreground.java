package dev.radar.cli;

import dev.radar.app.Assembly;
import dev.radar.app.Role;
import dev.radar.config.RadarProperties;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a process's {@link Assembly} in the foreground until Ctrl-C. A watchdog keeps {@code radar_up} equal to each
 * component's readiness and, as soon as a component is no longer live (its loop ended, its Streams client failed),
 * exits with {@link #SERVICE_FAILED} so that an orchestrator restarts it: a scorer whose loop died must not stay up,
 * "healthy" and idle.
 */
final class Foreground {
    /** Exit code when a service stopped working on its own (its loop ended, its Streams client failed). */
    static final int SERVICE_FAILED = 3;
    /** How often the watchdog looks at the components' health. */
    private static final long WATCH_MS = 500;

    private Foreground() {
    }

    static int run(RadarProperties props, Set<Role> roles) throws Exception {
        return run(props, roles, assembly -> { });
    }

    /** @param onStarted called once everything runs (e.g. to schedule progress logging) */
    static int run(RadarProperties props, Set<Role> roles, Consumer<Assembly> onStarted) throws Exception {
        Assembly assembly = Assembly.of(props, roles);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shuttingDown = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            shuttingDown.set(true);  // components stopped by Ctrl-C are not a failure
            assembly.stop();
            stopped.countDown();
        }, "radar-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            assembly.start();
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        assembly.http().ifPresent(h -> System.err.println("radar: HTTP at " + h.url()
                + " (health/live, health/ready, metrics)"));
        onStarted.accept(assembly);
        System.err.println("radar: running; Ctrl-C to stop");
        while (!stopped.await(WATCH_MS, TimeUnit.MILLISECONDS)) {
            assembly.health().ready();  // keeps radar_up current between scrapes
            String dead = assembly.health().deadComponent();
            if (dead != null && !shuttingDown.get()) {
                System.err.println("radar: " + dead + " stopped working (see the log above); exiting with "
                        + SERVICE_FAILED + " so that it is restarted");
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    return SERVICE_FAILED;  // the JVM is already shutting down: the hook stops everything
                }
                assembly.stop();
                return SERVICE_FAILED;
            }
        }
        return 0;
    }
}
