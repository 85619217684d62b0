package dev.radar.metrics;

import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** promtool on deploy/prometheus: rules load, their unit tests pass, the compose scrape config is valid. */
@Tag("integration")
class PrometheusRulesIT {
    private static Path promtool;
    private static final Path DIR = RepoFiles.path("deploy/prometheus");

    @BeforeAll
    static void findPromtool() {
        promtool = PromQueries.tool("promtool").orElse(null);
        assumeTrue(promtool != null, "promtool not installed (Debian package 'prometheus'); rule checks skipped");
    }

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool timed out");
        assertEquals(0, p.exitValue(), () -> "promtool " + String.join(" ", args) + " failed:\n" + out);
        return out;
    }

    @Test
    void rulesAreValid() throws Exception {
        String out = run("check", "rules", "radar-rules.yml");
        assertTrue(out.contains("SUCCESS: 4 rules found"), out);
    }

    @Test
    void ruleUnitTestsPass() throws Exception {
        assertTrue(run("test", "rules", "radar-rules.test.yml").contains("SUCCESS"));
    }

    @Test
    void composeScrapeConfigIsValid(@TempDir Path tmp) throws Exception {
        // The config names the rules at their container path; point it at the repository copy to check both.
        String config = Files.readString(DIR.resolve("prometheus.yml"))
                .replace("/etc/prometheus/radar-rules.yml", DIR.resolve("radar-rules.yml").toString());
        Path copy = Files.writeString(tmp.resolve("prometheus.yml"), config);
        run("check", "config", copy.toString());
    }
}
