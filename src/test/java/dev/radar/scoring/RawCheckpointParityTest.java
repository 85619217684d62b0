package dev.radar.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.checkpoint.ArchitecturePackages;
import dev.radar.scoring.djl.DjlScorer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Raw Hugging Face checkpoints (issue 14): the folders save_pretrained wrote, with no per-checkpoint export, scored
 * by the Java scorer through ONE architecture package (traced once from the first checkpoint,
 * {@code export_hf.py --architecture}), give per sample the reference scorer's SDS on that same folder
 * (|dSDS| <= 1e-4, same correct, same scored token counts). Two checkpoints of the architecture: the one the package
 * was traced from (single model.safetensors) and a later one with other weights saved sharded (index + 3 shards);
 * each must match its own reference, and their scores must differ (the weights really were replaced).
 *
 * <p>Fixtures: {@code models/make_hf_fixtures.sh target/hf-fixtures} (see {@link RealArchitectureParityTest}).
 */
class RawCheckpointParityTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-vl", "internvl3.5", "llava-onevision"})
    void rawCheckpointsScoreAsTheReferenceOnEachFolder(String family) throws IOException {
        Path dir = RealArchitectureParityTest.FIXTURES.resolve(family);
        if (!Files.isRegularFile(dir.resolve("reference-b.jsonl"))) {
            String reason = dir.resolve("reference-b.jsonl") + " is missing: build the fixtures with "
                    + "`bash models/make_hf_fixtures.sh target/hf-fixtures` (pinned venv, models/setup-venv.sh)";
            if ("1".equals(System.getenv("RADAR_REQUIRE_PY_GOLDENS"))) {
                fail(reason + " (RADAR_REQUIRE_PY_GOLDENS=1)");
            }
            Assumptions.abort(reason);
        }
        // scoring.architectures: a folder holding only this family's architecture package.
        Path architectures = Files.createDirectories(tmp.resolve("architectures"));
        Files.createSymbolicLink(architectures.resolve(family), dir.resolve("architecture").toAbsolutePath());
        ScoringConfig cfg = new ScoringConfig("cpu", "auto", ScoringConfig.Strategy.PACKED, 1 << 16, 8, 1)
                .withArchitectures(new ArchitecturePackages(Optional.of(architectures)));
        List<BenchSample> samples = Benchmark.load(RealArchitectureParityTest.benchmarkDir(dir)).samples();

        List<String> problems = new ArrayList<>();
        List<SampleResult> first = scoreAndCompare(family + " checkpoint (traced from)", dir.resolve("checkpoint"),
                dir.resolve("reference.jsonl"), samples, cfg, problems);
        List<SampleResult> later = scoreAndCompare(family + " checkpoint-b (other weights, sharded)",
                dir.resolve("checkpoint-b"), dir.resolve("reference-b.jsonl"), samples, cfg, problems);
        if (!problems.isEmpty()) {
            fail(problems.size() + " difference(s) from the reference:\n" + String.join("\n", problems));
        }
        double apart = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (first.get(i).success() && later.get(i).success()) {
                apart = Math.max(apart, Math.abs(first.get(i).sds() - later.get(i).sds()));
            }
        }
        System.out.printf(Locale.ROOT, "%s: max |SDS(checkpoint) - SDS(checkpoint-b)| = %.3e%n", family, apart);
        assertTrue(apart > 1e-3, "the two checkpoints score alike (" + apart + "): weights not replaced?");
    }

    /**
     * The production dtype: a bfloat16 architecture package (qwen2-vl) takes the float32 weights of the later,
     * sharded checkpoint, converted by libtorch as torch's .to() does. bfloat16 is compared with the float32
     * reference at the export's bfloat16 tolerance (5e-2), far below the 0.28 the two checkpoints differ by.
     */
    @org.junit.jupiter.api.Test
    void bfloat16ArchitecturePackageScoresTheCheckpointItIsGiven() throws IOException {
        Path dir = RealArchitectureParityTest.FIXTURES.resolve("qwen2-vl");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("architecture-bf16/radar-model.json")),
                "no bfloat16 architecture package: bash models/make_hf_fixtures.sh target/hf-fixtures");
        Path architectures = Files.createDirectories(tmp.resolve("architectures-bf16"));
        Files.createSymbolicLink(architectures.resolve("qwen2-vl"), dir.resolve("architecture-bf16").toAbsolutePath());
        ScoringConfig cfg = new ScoringConfig("cpu", "bfloat16", ScoringConfig.Strategy.PACKED, 1 << 16, 8, 1)
                .withArchitectures(new ArchitecturePackages(Optional.of(architectures)));
        List<BenchSample> samples = Benchmark.load(RealArchitectureParityTest.benchmarkDir(dir)).samples();
        Map<String, JsonNode> reference = RealArchitectureParityTest.readReference(dir.resolve("reference-b.jsonl"));
        List<SampleResult> results;
        try (DjlScorer scorer = DjlScorer.open(dir.resolve("checkpoint-b"), cfg)) {
            results = scorer.score(samples, (d, t) -> { });
        }
        double worst = 0;
        int compared = 0;
        for (int i = 0; i < samples.size(); i++) {
            JsonNode ref = reference.get(samples.get(i).key());
            if (ref != null) {
                assertTrue(results.get(i).success(), samples.get(i).key() + ": " + results.get(i).failure());
                worst = Math.max(worst, Math.abs(results.get(i).sds() - ref.get("sds").asDouble()));
                compared++;
            }
        }
        System.out.printf(Locale.ROOT, "qwen2-vl checkpoint-b through a bfloat16 package: %d samples, "
                + "max |SDS(bf16) - reference(f32)| = %.3e%n", compared, worst);
        assertEquals(reference.size(), compared);
        assertTrue(worst <= 5e-2, "bfloat16 SDS differs from the float32 reference by " + worst);
    }

    private static List<SampleResult> scoreAndCompare(String label, Path checkpoint, Path referenceFile,
                                                      List<BenchSample> samples, ScoringConfig cfg,
                                                      List<String> problems) throws IOException {
        assertTrue(Files.isRegularFile(checkpoint.resolve("config.json")) && !Files.exists(checkpoint.resolve(
                ModelConfig.FILE)), checkpoint + " must be a raw Hugging Face folder");
        Map<String, JsonNode> reference = RealArchitectureParityTest.readReference(referenceFile);
        List<SampleResult> results;
        try (DjlScorer scorer = DjlScorer.open(checkpoint, cfg)) {
            results = scorer.score(samples, (d, t) -> { });
        }
        RealArchitectureParityTest.Comparison c = RealArchitectureParityTest.compare(label, samples, results,
                reference, problems);
        System.out.printf(Locale.ROOT, "%s: %d samples compared, max |SDS - reference| = %.3e%n", label,
                c.compared(), c.maxDiff());
        assertEquals(reference.size(), c.compared(), label + ": every reference sample compared");
        return results;
    }
}
