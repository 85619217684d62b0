package dev.radar.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.RadarException;
import dev.radar.scoring.Sds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code radar sds}: SDS and accuracy from per-token raw logits already computed elsewhere (no model). */
@Command(name = "sds", mixinStandardHelpOptions = true,
        description = "Computes SDS from per-candidate token logits. Input: JSONL, one sample per line: "
                + "{\"id\": ..., \"candidates\": [[z_1, z_2, ...], ...]} with candidate 0 the correct one "
                + "(optional \"logsumexp\" of the same shape adds log-likelihood accuracies). "
                + "Malformed lines are reported with their line number and skipped.")
public final class SdsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl", description = "Per-sample logits (JSONL).")
    Path input;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new RadarException("input file not found: " + input);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper();
        int lineNo = 0;
        int scored = 0;
        int skipped = 0;
        int correct = 0;
        double sdsSum = 0;
        out.println("id\tsds\tcorrect");
        try (BufferedReader r = Files.newBufferedReader(input)) {
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node = json.readTree(line);
                    if (node == null || !node.isObject()) {
                        throw new IllegalArgumentException("not a JSON object");
                    }
                    String id = node.hasNonNull("id") ? node.get("id").asText() : "line " + lineNo;
                    List<double[]> z = matrix(node.get("candidates"), "candidates");
                    List<double[]> lse = node.has("logsumexp") ? matrix(node.get("logsumexp"), "logsumexp") : null;
                    Sds.Result res = Sds.score(z, lse);
                    out.printf(Locale.ROOT, "%s\t%.4f\t%s%n", id, res.sds(), res.correct());
                    scored++;
                    sdsSum += res.sds();
                    correct += res.correct() ? 1 : 0;
                } catch (IOException | IllegalArgumentException e) {
                    skipped++;
                    err.println(input + ":" + lineNo + ": skipped: " + firstLine(e.getMessage()));
                }
            }
        }
        out.printf(Locale.ROOT, "samples %d, skipped %d, mean SDS %.4f, accuracy %.4f%n", scored, skipped,
                scored == 0 ? Double.NaN : sdsSum / scored, scored == 0 ? Double.NaN : (double) correct / scored);
        out.flush();
        return scored == 0 && skipped > 0 ? 1 : 0;
    }

    private static List<double[]> matrix(JsonNode node, String field) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of arrays of numbers");
        }
        List<double[]> out = new ArrayList<>();
        for (JsonNode row : node) {
            if (!row.isArray()) {
                throw new IllegalArgumentException("\"" + field + "\" must be an array of arrays of numbers");
            }
            double[] v = new double[row.size()];
            for (int i = 0; i < v.length; i++) {
                if (!row.get(i).isNumber()) {
                    throw new IllegalArgumentException("\"" + field + "\" has a non-number: " + row.get(i));
                }
                v[i] = row.get(i).asDouble();
            }
            out.add(v);
        }
        return out;
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "malformed";
        }
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
