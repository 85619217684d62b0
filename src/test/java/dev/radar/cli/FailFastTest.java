package dev.radar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up failures end the command with one clear line on the terminal and exit code 2: an unreachable broker after
 * the configured {@code startup.timeout.ms} (not a minute of retries and dozens of warnings), a taken port (not a
 * 151-line stack trace), a missing required key. Each case is a real {@code radar} process (child JVM), so what is
 * asserted is exactly what a user sees.
 */
class FailFastTest {
    /** Port 9 (discard): nothing listens there. */
    private static final String DEAD_BROKER = "127.0.0.1:9";

    @Test
    void publishToAnUnreachableBrokerSaysSoInOneLine() throws Exception {
        List<String> out = radar("publish", "-b", DEAD_BROKER, "-D", "startup.timeout.ms=1500",
                "--run", "r", "--step", "1", "--checkpoint", "/ckpt/1");
        assertEquals(List.of("radar publish: Kafka at 127.0.0.1:9 did not answer within 1500 ms"
                + " (kafka.bootstrap.servers, startup.timeout.ms)"), out);
    }

    @Test
    void aPlannerWithAnUnreachableBrokerSaysSoInOneLine() throws Exception {
        List<String> out = radar("planner", "-b", DEAD_BROKER, "-D", "startup.timeout.ms=1500",
                "-D", "planner.allowed.roots=/ckpt", "-D", "web.port=0");
        assertEquals(List.of("radar planner: Kafka at 127.0.0.1:9 did not answer within 1500 ms"
                + " (kafka.bootstrap.servers, startup.timeout.ms)"), out);
    }

    @Test
    void aTakenPortSaysSoInOneLineBeforeWaitingForKafka(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Kafka unreachable too, with a long timeout: the port is checked first, so this ends at once.
            List<String> out = radar("watch", "--dir", dir.toString(), "--run", "r", "-b", DEAD_BROKER,
                    "-D", "startup.timeout.ms=600000", "-D", "web.port=" + taken.getLocalPort());
            assertEquals(List.of("radar watch: port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"
                    + " (web.port): stop what holds it or set another port"), out);
        }
    }

    @Test
    void aPlannerWithoutAllowedRootsRefusesToStart() throws Exception {
        List<String> out = radar("planner", "-b", DEAD_BROKER);
        assertEquals(1, out.size(), out.toString());
        assertTrue(out.get(0).startsWith("radar planner: planner.allowed.roots is not set"), out.get(0));
    }

    /** Runs {@code radar ARGS} in a child JVM; asserts exit code 2 and returns its non-blank output lines. */
    private static List<String> radar(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RadarCli.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "radar " + String.join(" ", args) + " did not end:\n" + out);
        assertEquals(2, p.exitValue(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
