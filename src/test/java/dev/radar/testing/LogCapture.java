package dev.radar.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Collects the ERROR lines one class logs through the real Log4j pipeline, with the messages of the attached
 * exception chain: for asserting what a component tells its operator when it stops.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final Logger logger;
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        super("capture-" + logger.getName(), null, null, true, Property.EMPTY_ARRAY);
        this.logger = logger;
    }

    public static LogCapture of(Class<?> type) {
        LogCapture capture = new LogCapture((Logger) LogManager.getLogger(type));
        capture.start();
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
            errors.add(event.getMessage().getFormattedMessage() + " | " + chain(event.getThrown()));
        }
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Waits until an ERROR line matches; fails the test with what was logged when none does in {@code timeout}. */
    public String awaitError(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String e : errors) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching ERROR line within " + timeout.toSeconds() + " s; logged: " + errors);
    }

    /** The messages of {@code t} and its causes, as a log line would show them. */
    public static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(c.getCause() != null ? " <- " : "");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        logger.removeAppender(this);
        stop();
    }
}
