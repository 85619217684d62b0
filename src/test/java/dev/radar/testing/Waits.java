package dev.radar.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition in tests, failing with what was awaited rather than going on silently. */
public final class Waits {
    private Waits() {
    }

    /** Polls {@code condition} every 100 ms; fails with "timed out after ... waiting for {@code what}" if it stays false. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }
}
