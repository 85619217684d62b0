package dev.radar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.SyntheticBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** radar score and radar perf scoring end to end on the tiny model and a generated synthetic benchmark. */
class ScoreCommandTest {

    @TempDir
    Path tmp;

    @Test
    void scoresABenchmarkAndWritesReferenceFields() throws Exception {
        SyntheticBenchmark.generate(tmp.resolve("bench"), 2, 3);
        Path out = tmp.resolve("out/scores.jsonl");
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int rc = cli(o, e).execute("score", "--model", dev.radar.perf.ScoringPerf.latest(dev.radar.perf.ScoringPerf.DEFAULT_MODELS).toString(),
                "--bench", tmp.resolve("bench").toString(), "--limit", "12", "--strategy", "per-candidate",
                "--out", out.toString());
        assertEquals(0, rc, e.toString());
        assertTrue(e.toString().contains("scored 12/12"), e.toString());
        String text = o.toString();
        assertTrue(text.contains("Synthetic_color") && text.contains("perception") && text.contains("reasoning"), text);
        List<String> lines = Files.readAllLines(out);
        assertEquals(12, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        for (String f : new String[]{"id", "task", "candidates", "success", "probabilities", "mean_logits", "token_logits", "sds"}) {
            assertTrue(first.has(f), f + " missing in " + first);
        }
        assertEquals(first.get("candidates").size(), first.get("token_logits").size());
    }

    @Test
    void perfScoringReportsBothStrategies() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int rc = cli(o, e).execute("perf", "scoring", "--samples", "8", "--rounds", "1");
        assertEquals(0, rc, e.toString());
        String text = o.toString();
        assertTrue(text.contains("per-candidate") && text.contains("packed") && text.contains("throughput"), text);
        assertTrue(text.contains("outside model"), text);
    }

    private static CommandLine cli(StringWriter o, StringWriter e) {
        CommandLine cli = new CommandLine(new RadarCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(o));
        cli.setErr(new PrintWriter(e));
        return cli;
    }
}
