package dev.radar.kafka;

import org.apache.kafka.clients.consumer.Consumer;

/**
 * The thread a service's consumer poll loop runs on, and the state health reads from it: whether the loop still
 * runs and whether its consumer is a member of its group. The service creates its consumer and calls
 * {@link #start}; the loop polls while {@link #running()}, reports membership from its rebalance listener and calls
 * {@link #ended()} in its {@code finally}; {@link #stop()} clears the flag and wakes the consumer, whose blocked poll
 * then throws WakeupException, and waits for the loop's clean-up.
 */
public final class ConsumerLoop {
    private final String threadName;
    private final long stopJoinMs;
    private volatile boolean running;
    /** A rebalance completed with this consumer in it, and the membership not lost since. */
    private volatile boolean member;
    private Thread thread;
    private Consumer<?, ?> consumer;

    /** @param stopJoinMs how long {@link #stop()} waits for the loop to finish its clean-up */
    public ConsumerLoop(String threadName, long stopJoinMs) {
        this.threadName = threadName;
        this.stopJoinMs = stopJoinMs;
    }

    /** Runs {@code loop} on a new thread; {@code consumer} is the one it polls, woken by {@link #stop()}. */
    public synchronized void start(Consumer<?, ?> consumer, Runnable loop) {
        if (running) {
            throw new IllegalStateException(threadName + " is already running");
        }
        this.consumer = consumer;
        running = true;
        thread = new Thread(loop, threadName);
        thread.start();
    }

    /** The loop's condition: started and neither stopped nor ended. */
    public boolean running() {
        return running;
    }

    /** The loop is alive: started, its thread running and not ended by a failure, a fence or stop(). */
    public boolean alive() {
        Thread t = thread;
        return running && t != null && t.isAlive();
    }

    /** The loop was started and its thread has finished (stopped, crashed or failed). */
    public boolean finished() {
        Thread t = thread;
        return t != null && !t.isAlive();
    }

    /** Called by the loop's rebalance listener: true after every completed rebalance, false when partitions are lost. */
    public void member(boolean isMember) {
        member = isMember;
    }

    /**
     * Why the loop cannot do its work now, for {@code /health/ready}: not running, or not (yet) a member of
     * {@code groupId}; null when it is both (a member with no partitions, e.g. one of more members than partitions,
     * is ready too).
     */
    public String notReadyReason(String groupId) {
        if (!alive()) {
            return "its poll loop is not running";
        }
        return member ? null : "not a member of consumer group " + groupId + " yet (joining)";
    }

    /** Called by the loop as it ends, however it ends. */
    public void ended() {
        running = false;
        member = false;
    }

    /** Ends the loop and waits for its clean-up; idempotent, and a no-op once the loop has ended by itself. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(stopJoinMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
