package dev.radar.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.scoring.djl.DjlScorer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End-to-end parity of the real architectures (issue 13): the Java scorer, on the contract-2 package exported from
 * a tiny randomly initialised Hugging Face checkpoint of each family, gives per sample the SDS of a Python
 * reference scorer that follows the official RADAR script (eager HF model, the family's processor, one forward per
 * candidate): |dSDS| <= 1e-4 in float32, same correct, same number of scored candidate tokens. Both strategies,
 * and two batch budgets: one that puts samples with different image counts into the same forward, and one that
 * runs one row per forward.
 *
 * <p>The fixtures come from {@code models/make_hf_fixtures.sh target/hf-fixtures} (pinned Python environment,
 * models/setup-venv.sh). Without them the test is skipped, unless RADAR_REQUIRE_PY_GOLDENS=1 (CI) makes that a
 * failure.
 */
class RealArchitectureParityTest {

    /** Where make_hf_fixtures.sh wrote its output; -Dradar.hf.fixtures=DIR scores another build of them. */
    static final Path FIXTURES = Path.of(System.getProperty("radar.hf.fixtures", "target/hf-fixtures"));
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-vl", "internvl3.5", "llava-onevision", "llava-onevision-projector"})
    void javaScoresEqualTheReferenceScript(String family) throws IOException {
        Path dir = FIXTURES.resolve(family);
        if (!Files.isRegularFile(dir.resolve("reference.jsonl"))) {
            String reason = dir.resolve("reference.jsonl") + " is missing: build the fixtures with "
                    + "`bash models/make_hf_fixtures.sh target/hf-fixtures` (needs the pinned venv, models/setup-venv.sh)";
            if ("1".equals(System.getenv("RADAR_REQUIRE_PY_GOLDENS"))) {
                fail(reason + " (RADAR_REQUIRE_PY_GOLDENS=1)");
            }
            Assumptions.abort(reason);
        }
        Map<String, JsonNode> reference = readReference(dir.resolve("reference.jsonl"));
        List<BenchSample> samples = Benchmark.load(benchmarkDir(dir)).samples();
        assertTrue(reference.size() >= 2, "reference has " + reference.size() + " samples");
        java.util.Set<String> keys = new java.util.HashSet<>();
        samples.forEach(s -> keys.add(s.key()));
        List<String> unknown = reference.keySet().stream().filter(k -> !keys.contains(k)).sorted().toList();
        assertTrue(unknown.isEmpty(), "reference samples not in the Java benchmark (task/q_id): " + unknown);

        List<String> problems = new ArrayList<>();
        for (ScoringConfig.Strategy strategy : ScoringConfig.Strategy.values()) {
            // 1 token: one row per forward. 1 << 16: several samples (different image counts) in one forward.
            for (int batchTokens : new int[]{1 << 16, 1}) {
                ScoringConfig cfg = new ScoringConfig("cpu", "auto", strategy, batchTokens, 8, 1);
                List<SampleResult> results;
                ScoringStats stats;
                try (DjlScorer scorer = DjlScorer.open(dir.resolve("package"), cfg)) {
                    results = scorer.score(samples, (d, t) -> { });
                    stats = scorer.lastStats();
                }
                if (batchTokens == 1) {
                    assertEquals(stats.rows(), stats.batches(), "one row per forward");
                } else {
                    assertTrue(stats.batches() < stats.rows(), "rows of several samples share a forward: " + stats);
                }
                String label = family + " " + strategy.label() + " batch.tokens=" + batchTokens;
                Comparison c = compare(label, samples, results, reference, problems);
                int compared = c.compared();
                System.out.printf(Locale.ROOT, "%s: %d samples compared, %d skipped by both, "
                        + "max |SDS - reference| = %.3e%n", label, compared, c.skipped(), c.maxDiff());
                assertTrue(compared > 0 || !problems.isEmpty(), "nothing compared for " + family);
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " difference(s) from the reference:\n" + String.join("\n", problems));
        }
    }

    /** How one scoring run compared with the reference: samples compared, skipped by both, max |dSDS|. */
    record Comparison(int compared, int skipped, double maxDiff) {
    }

    /**
     * Compares every sample's SDS, correct/incorrect and scored token counts with the reference; each difference is
     * added to {@code problems} with {@code label} and the sample key.
     */
    static Comparison compare(String run, List<BenchSample> samples, List<SampleResult> results,
                              Map<String, JsonNode> reference, List<String> problems) {
        double maxDiff = 0;
        int compared = 0;
        int skipped = 0;
        for (int i = 0; i < samples.size(); i++) {
            BenchSample s = samples.get(i);
            SampleResult r = results.get(i);
            JsonNode ref = reference.get(s.key());
            String label = run + " " + s.key();
            if (ref == null) {
                // The reference writes only the samples it scores (it skips more than 12 images, as the
                // official scripts do): Java must not score them either.
                if (r.success()) {
                    problems.add(label + ": not in reference.jsonl, but Java scored it");
                } else {
                    skipped++;
                }
                continue;
            }
            if (!r.success()) {
                problems.add(label + ": failed in Java: " + r.failure());
                continue;
            }
            double want = sds(ref);
            double diff = Math.abs(r.sds() - want);
            maxDiff = Math.max(maxDiff, diff);
            compared++;
            if (!(diff <= TOLERANCE)) {
                problems.add(String.format(Locale.ROOT, "%s: SDS %.8f vs reference %.8f (|d| = %.3e)",
                        label, r.sds(), want, diff));
            }
            if (r.correct() != ref.get("correct").asBoolean()) {
                problems.add(label + ": correct " + r.correct() + " vs reference " + ref.get("correct"));
            }
            int[] counts = counts(ref);
            if (!Arrays.equals(r.tokenCounts(), counts)) {
                problems.add(label + ": candidate token counts " + Arrays.toString(r.tokenCounts())
                        + " vs reference " + Arrays.toString(counts));
            }
        }
        return new Comparison(compared, skipped, maxDiff);
    }

    /** The benchmark the reference scored: next to the family's fixtures, or shared by all families. */
    static Path benchmarkDir(Path familyDir) {
        // make_hf_fixtures.py records the benchmark it scored (--bench DIR, or OUT/benchmark) in summary.json.
        Path summary = familyDir.getParent().resolve("summary.json");
        if (Files.isRegularFile(summary)) {
            try {
                JsonNode bench = new ObjectMapper().readTree(summary.toFile()).path("benchmark");
                if (bench.isTextual() && Files.isDirectory(Path.of(bench.asText()))) {
                    return Path.of(bench.asText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + summary, e);
            }
        }
        for (Path p : List.of(familyDir.resolve("bench"), familyDir.resolve("benchmark"),
                familyDir.getParent().resolve("bench"), familyDir.getParent().resolve("benchmark"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no benchmark folder (bench/ or benchmark/) in " + familyDir + " or its parent");
    }

    static Map<String, JsonNode> readReference(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> out = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            String id = n.has("q_id") ? n.get("q_id").asText() : n.get("id").asText();
            // The reference names a task by its file's stem ({task}_{N}_pretrained_mllm_eval), the reader by {task}.
            String task = n.get("task").asText().replaceFirst("_\\d+_pretrained_mllm_eval$", "");
            JsonNode prev = out.put(task + "/" + id, n);
            assertEquals(null, prev, "duplicate reference line for " + task + "/" + id);
        }
        return out;
    }

    private static double sds(JsonNode ref) {
        return (ref.has("SDS") ? ref.get("SDS") : ref.get("sds")).asDouble();
    }

    private static int[] counts(JsonNode ref) {
        JsonNode a = null;
        for (String k : new String[]{"candidate_token_counts", "candidateTokenCounts", "token_counts", "tokenCounts"}) {
            if (ref.has(k)) {
                a = ref.get(k);
                break;
            }
        }
        if (a == null) {
            throw new IllegalStateException("reference line without candidate token counts: " + ref);
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
