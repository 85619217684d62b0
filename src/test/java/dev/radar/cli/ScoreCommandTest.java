package dev.radar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.scoring.ScoreSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
    void abilitiesAreTheMacroAverageOfTheirTasksWithFullyFailedTasksCountedButNotAveraged() {
        List<ScoreSummary.Group> tasks = List.of(
                new ScoreSummary.Group("t1", 10, 0, 0.2, 0.1, 0.3, 0.4),
                new ScoreSummary.Group("t2", 2, 1, 0.6, 0.5, 0.7, 0.8),
                new ScoreSummary.Group("t3", 3, 3, Double.NaN, Double.NaN, Double.NaN, Double.NaN),
                new ScoreSummary.Group("t4", 1, 0, 0.9, 1.0, 1.0, 1.0));
        Map<String, String> abilityOf = Map.of("t1", "reasoning", "t2", "reasoning", "t3", "reasoning", "t4", "perception");
        // t1's ten samples weigh as much as t2's one: (0.2 + 0.6) / 2, not the sample-weighted 0.24.
        assertEquals(List.of(new ScoreSummary.Group("perception", 1, 0, 0.9, 1.0, 1.0, 1.0),
                        new ScoreSummary.Group("reasoning", 15, 4, (0.2 + 0.6) / 2, (0.1 + 0.5) / 2, (0.3 + 0.7) / 2,
                                (0.4 + 0.8) / 2)),
                ScoreCommand.macro(tasks, abilityOf::get));
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
