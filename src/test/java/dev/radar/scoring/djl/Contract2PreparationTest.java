package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.image.ImageLoadException;
import dev.radar.scoring.image.ImageProcessor;
import dev.radar.scoring.image.ImageProcessors;
import dev.radar.scoring.image.VisionInput;
import dev.radar.scoring.prompt.TokenizedPrompt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contract-2 preparation with the real Qwen2-VL image processor: a good sample is laid out with its real visual
 * tokens; a bad image, an unbuildable prompt or slots that do not match the images become a failed sample naming
 * the sample (and file), never an exception.
 */
class Contract2PreparationTest {

    private static final Path TALL = Path.of("models", "golden", "images", "fixtures", "tall.png");
    private static final Path WIDE = Path.of("models", "golden", "images", "fixtures", "wide.png");

    @TempDir
    Path tmp;

    @Test
    void goodSampleCarriesItsImagesRealTokenCounts() throws IOException {
        SamplePreparer prep = preparer(UnaryOperator.identity());
        PreparedSample p = prep.prepare(3, sample(List.of(TALL, WIDE)));
        assertNull(p.failure(), p.failure());
        assertEquals(2, p.images().size());
        for (VisionInput im : p.images()) {
            int[] g = im.grid();
            assertEquals(g[0] * g[1] * g[2] / 4, im.visualTokens(), "2x2 merge");
            assertEquals(g[0] * g[1] * g[2] * 2, im.patchPos().length);
        }
        assertTrue(p.images().get(0).visualTokens() != p.images().get(1).visualTokens(), "tall and wide differ");
        long slots = java.util.Arrays.stream(p.promptIds()).filter(i -> i == PreparedSample.IMAGE_SLOT).count();
        assertEquals(p.visualTokens(), slots);
        // M-RoPE positions for the prompt are computable (run k = image k's grid).
        assertEquals(3, PositionRule.mrope(2).prefix(p.promptIds(), p).length);
    }

    @Test
    void badInputsAreFailedSamplesNamingTheCause() throws IOException {
        SamplePreparer prep = preparer(UnaryOperator.identity());
        Path corrupt = Files.write(tmp.resolve("corrupt.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        PreparedSample p = prep.prepare(0, sample(List.of(TALL, corrupt)));
        assertTrue(p.failure().contains("q1") && p.failure().contains("cannot read image")
                && p.failure().contains(corrupt.toString()), p.failure());
        p = prep.prepare(0, sample(List.of(tmp.resolve("missing.jpg"))));
        assertTrue(p.failure().contains("missing.jpg"), p.failure());

        p = prep.prepare(0, new BenchSample("q1", "t", "", "", "PLAN-FAILS", List.of(TALL), List.of("a", "b")));
        assertTrue(p.failure().contains("cannot build the prompt") && p.failure().contains("no layout"), p.failure());

        // One slot too few.
        p = preparer(ids -> java.util.stream.IntStream.range(0, ids.length).filter(i -> i != 1).map(i -> ids[i]).toArray())
                .prepare(0, sample(List.of(TALL)));
        assertTrue(p.failure().contains("image slots") && p.failure().contains("visual tokens"), p.failure());
    }

    @Test
    void runsThatDoNotMatchTheGridsAreRefused() throws IOException {
        // Same slot count, but the two images' runs swapped: M-RoPE would place them with the wrong grids.
        SamplePreparer prep = new SamplePreparer(null, config(), rules(UnaryOperator.identity(), true));
        PreparedSample p = prep.prepare(0, sample(List.of(TALL, WIDE)));
        assertTrue(p.failure() != null && p.failure().contains("grids"), String.valueOf(p.failure()));
    }

    private SamplePreparer preparer(UnaryOperator<int[]> editPrompt) throws IOException {
        return new SamplePreparer(null, config(), rules(editPrompt, false));
    }

    private static BenchSample sample(List<Path> images) {
        return new BenchSample("q1", "t", "", "", "What is this?", images, List.of("a cat", "a dog"));
    }

    private ModelConfig config() throws IOException {
        Path f = tmp.resolve("radar-model.json");
        Files.writeString(f, """
                {"contract": 2, "name": "t", "family": "qwen2-vl", "dtype": "float32", "maxSequenceLength": 32768,
                 "supportsPackedMask": true, "hiddenSize": 8, "positionDims": 3, "imageTokenId": 99, "padTokenId": 0,
                 "promptRules": "qwen2-vl",
                 "vision": {"patchSize": 14, "temporalPatchSize": 2, "mergeSize": 2, "minPixels": 200704,
                            "maxPixels": 602112, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}
                """);
        return ModelConfig.read(f);
    }

    /** Qwen2-VL-like layout (start, slots, end per image, then the question) with a character "tokenizer". */
    private static FamilyRules rules(UnaryOperator<int[]> editPrompt, boolean swapRuns) {
        ImageProcessor proc = ImageProcessors.qwen2vl(200704, 602112, new double[]{0.5, 0.5, 0.5},
                new double[]{0.5, 0.5, 0.5});
        return new FamilyRules() {
            @Override
            public String version() {
                return "test/1";
            }

            @Override
            public Plan plan(BenchSample s) {
                if (s.question().equals("PLAN-FAILS")) {
                    throw new IllegalArgumentException("no layout for this source");
                }
                return new Plan(s.images(), s);
            }

            @Override
            public VisionInput image(Path file) throws ImageLoadException {
                return proc.process(file);
            }

            @Override
            public TokenizedPrompt tokenize(Plan plan, int[] visual) {
                BenchSample s = (BenchSample) plan.rulesPlan();
                List<Integer> ids = new ArrayList<>();
                int[] runs = visual.clone();
                if (swapRuns) {
                    runs = new int[]{visual[1], visual[0]};
                }
                for (int v : runs) {
                    ids.add(1);
                    ids.addAll(Collections.nCopies(v, PreparedSample.IMAGE_SLOT));
                    ids.add(2);
                }
                s.question().chars().forEach(ids::add);
                int[] prompt = editPrompt.apply(ids.stream().mapToInt(Integer::intValue).toArray());
                List<int[]> cands = s.candidates().stream().map(c -> c.chars().toArray()).toList();
                int[] pixelOrder = swapRuns ? new int[]{1, 0} : java.util.stream.IntStream.range(0, runs.length).toArray();
                return new TokenizedPrompt(prompt, cands, Collections.nCopies(cands.size(), prompt), true, runs,
                        pixelOrder);
            }
        };
    }
}
