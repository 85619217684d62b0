package dev.radar.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/** Helpers for services that run a consumer poll loop on their own thread. */
public final class ConsumerLoops {
    private ConsumerLoops() {
    }

    /**
     * Ends a poll loop: wakes the consumer (its blocked poll throws WakeupException, the loop sees its running flag
     * cleared) and waits up to {@code joinMs} for the thread to finish its clean-up.
     */
    public static void stop(Consumer<?, ?> consumer, Thread loop, long joinMs) {
        consumer.wakeup();
        try {
            loop.join(joinMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
