package dev.radar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCliTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new RadarCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new CliErrors())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void benchGenThenBenchInfo() throws Exception {
        Path root = dir.resolve("syn");
        assertEquals(0, run("bench-gen", "--out", root.toString(), "--samples", "2", "--seed", "5"), err.toString());
        String gen = out.toString();
        assertTrue(gen.contains("Synthetic_pattern") && gen.contains("Version "), gen);

        // A defect is listed, and still exit code 0.
        Files.writeString(root.resolve("synthetic/Synthetic_extra_1_pretrained_mllm_eval.json"), "{not json");
        out.getBuffer().setLength(0);
        assertEquals(0, run("bench-info", root.toString()), err.toString());
        String info = out.toString();
        String version = gen.substring(gen.indexOf("Version ") + 8).trim();
        assertTrue(info.contains(version), info);
        assertTrue(info.matches("(?s).*Synthetic_color\\s+perception\\s+fine_grained_perception\\s+2.*"), info);
        assertTrue(info.matches("(?s).*Total perception\\s+8.*Total reasoning\\s+8.*"), info);
        assertTrue(info.contains("Skipped for more than 12 images: 0"), info);
        assertTrue(info.contains("Problems: 1") && info.contains("Synthetic_extra_1_pretrained_mllm_eval.json"), info);
    }

    @Test
    void benchInfoOnMissingFolderFails() {
        int rc = run("bench-info", dir.resolve("missing").toString());
        assertNotEquals(0, rc);
        assertTrue(err.toString().contains("missing"), err.toString());
    }

    @Test
    void benchImportMathVista() throws Exception {
        Path in = dir.resolve("mv.json");
        Files.writeString(in, "[{\"pid\":\"1\",\"question\":\"Q?\",\"answer\":\"b\",\"choices\":[\"a\",\"b\"],"
                + "\"image\":\"nope.png\"}]");
        assertEquals(0, run("bench-import", "--format", "mathvista", "--in", in.toString(), "--out",
                dir.resolve("b").toString()), err.toString());
        assertTrue(out.toString().contains("Imported 0 questions; 0 skipped by design; 1 problems"), out.toString());
    }
}
