package dev.radar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdsCommandTest {

    @TempDir
    Path tmp;

    @Test
    void scoresGoodLinesAndReportsMalformedOnesByLineNumber() throws Exception {
        Path in = tmp.resolve("logits.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"id\": \"a\", \"candidates\": [[1.0, 3.0], [1.0], [0.0, 0.5, 1.0]]}",
                "{\"id\": \"b\", \"candidates\": [[1.0], [2.0]]}",
                "not json",
                "{\"id\": \"c\", \"candidates\": [[1.0]]}",
                "",
                "{\"id\": \"d\", \"candidates\": [[1.0], []]}",
                "{\"id\": \"e\", \"candidates\": [[1.0], [1.0]]}") + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new RadarCli());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int rc = cli.execute("sds", "--input", in.toString());
        assertEquals(0, rc, err.toString());
        String o = out.toString();
        assertTrue(o.contains("a\t0.6285\ttrue"), o);
        assertTrue(o.contains("b\t0.2689\tfalse"), o);
        assertTrue(o.contains("e\t0.5000\ttrue"), o);
        String e = err.toString();
        assertTrue(e.contains(":3: skipped"), e);
        assertTrue(e.contains(":4: skipped") && e.contains("at least 2 candidates"), e);
        assertTrue(e.contains(":6: skipped") && e.contains("no tokens"), e);
        // mean SDS (0.6285 + 0.2689 + 0.5) / 3, accuracy 2/3
        assertTrue(o.contains("samples 3, skipped 3, mean SDS 0.4658, accuracy 0.6667"), o);
    }
}
