package dev.radar;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An Error that kills a thread ends the process non-zero once the command line's policy is installed. */
class FatalErrorsTest {

    /** Child process: installs the policy, kills one thread with an Error, and would otherwise live 30 s. */
    public static void main(String[] args) throws Exception {
        FatalErrors.install();
        Thread loop = new Thread(() -> {
            throw new OutOfMemoryError("simulated: a poll loop's record needed more heap than there is");
        }, "radar-test-loop");
        loop.start();
        Thread.sleep(30_000);
        System.exit(0);
    }

    @Test
    void anErrorEscapingAThreadEndsTheProcessWithExitCode70() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                FatalErrorsTest.class.getName())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the process must end by itself, not live on with a dead thread");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(FatalErrors.EXIT_CODE, p.exitValue(), out);
        assertTrue(out.contains("radar-test-loop"), out);
    }

    @Test
    void wrappedErrorsAreFatalPlainExceptionsAreNot() {
        assertTrue(FatalErrors.isFatal(new RuntimeException("stream thread", new StackOverflowError())));
        assertFalse(FatalErrors.isFatal(new IllegalStateException("bad record")));
    }
}
