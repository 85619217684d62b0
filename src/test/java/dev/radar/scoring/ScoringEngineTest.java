package dev.radar.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.BenchSample;
import dev.radar.scoring.djl.ScoringEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine on the committed tiny model: golden outputs, strategy equivalence, batching, bad samples. */
class ScoringEngineTest {

    private static Scorer packed;
    private static Scorer perCandidate;

    @TempDir
    static Path images;

    @BeforeAll
    static void open() {
        Path dir = TinyModel.latestCheckpoint();
        packed = ScoringEngine.open(dir, ScoringConfig.defaults());
        perCandidate = ScoringEngine.open(dir, ScoringConfig.defaults().withStrategy(ScoringConfig.Strategy.PER_CANDIDATE));
    }

    @AfterAll
    static void close() {
        packed.close();
        perCandidate.close();
    }

    /** Java preprocessing + tokenising + tensor layout reproduce the Python eager outputs, token by token. */
    @Test
    void reproducesThePythonGoldenOutputsWithBothStrategies() throws IOException {
        Path gold = TinyModel.ROOT.resolve("golden");
        JsonNode root = new ObjectMapper().readTree(gold.resolve("golden.json").toFile());
        assertEquals(TinyModel.latestCheckpoint().getFileName().toString(), root.get("checkpoint").asText());
        List<BenchSample> samples = new ArrayList<>();
        for (JsonNode s : root.get("samples")) {
            List<String> cands = new ArrayList<>();
            s.get("candidates").forEach(c -> cands.add(c.asText()));
            samples.add(new BenchSample(s.get("task").asText(), s.get("task").asText(), "Synthetic", "", s.get("question").asText(),
                    List.of(gold.resolve(s.get("image").asText())), cands));
        }
        for (Scorer scorer : List.of(packed, perCandidate)) {
            List<SampleResult> results = scorer.score(samples, ProgressListener.NONE);
            int i = 0;
            for (JsonNode s : root.get("samples")) {
                SampleResult r = results.get(i++);
                assertNull(r.failure(), r.failure());
                int k = 0;
                for (JsonNode out : s.get("outputs")) {
                    double[] z = r.tokenLogits().get(k);
                    JsonNode expected = out.get("rawLogits");
                    assertEquals(expected.size(), z.length, "token count of " + out.get("candidate"));
                    assertEquals(expected.size(), r.tokenCounts()[k]);
                    for (int t = 0; t < z.length; t++) {
                        assertEquals(expected.get(t).asDouble(), z[t], 1e-4,
                                scorer.config().strategy() + " " + r.key() + " candidate " + k + " token " + t);
                    }
                    k++;
                }
            }
        }
    }

    @Test
    void packedAndPerCandidateGiveTheSameSds() {
        List<BenchSample> samples = drawnSamples();
        List<SampleResult> a = packed.score(samples, ProgressListener.NONE);
        List<SampleResult> b = perCandidate.score(samples, ProgressListener.NONE);
        assertEquals(samples.size(), a.size());
        for (int i = 0; i < samples.size(); i++) {
            assertNull(a.get(i).failure(), a.get(i).failure());
            assertNull(b.get(i).failure(), b.get(i).failure());
            assertEquals(b.get(i).sds(), a.get(i).sds(), 1e-4, samples.get(i).key());
            assertEquals(b.get(i).correct(), a.get(i).correct());
            for (int k = 0; k < a.get(i).meanLogits().length; k++) {
                assertEquals(b.get(i).meanLogits()[k], a.get(i).meanLogits()[k], 1e-4);
            }
        }
        // The packed run really used fewer, shorter rows.
        assertTrue(packed.lastStats().tokens() < perCandidate.lastStats().tokens() / 2,
                packed.lastStats() + " vs " + perCandidate.lastStats());
        assertEquals(samples.size(), packed.lastStats().rows());
    }

    @Test
    void batchSizeDoesNotChangeScores() {
        List<BenchSample> samples = drawnSamples();
        List<SampleResult> big = packed.score(samples, ProgressListener.NONE);
        try (Scorer tiny = ScoringEngine.open(TinyModel.latestCheckpoint(),
                new ScoringConfig("cpu", "float32", ScoringConfig.Strategy.PACKED, 300, 2, 2))) {
            AtomicInteger last = new AtomicInteger();
            List<SampleResult> small = tiny.score(samples, (done, total) -> {
                assertTrue(done > last.get() && done <= total);
                last.set(done);
            });
            assertEquals(samples.size(), last.get());
            assertEquals(samples.size(), tiny.lastStats().batches(), "one row per batch under a 300-token budget");
            for (int i = 0; i < samples.size(); i++) {
                assertEquals(big.get(i).sds(), small.get(i).sds(), 1e-4);
            }
        }
    }

    @Test
    void badSamplesFailAloneWithAReasonNamingSampleAndFile() throws IOException {
        Path broken = images.resolve("broken.png");
        Files.writeString(broken, "not a png");
        Path ok = TinyModel.draw(images, "ok", Color.RED, "circle", 64, 64, 25, "png");
        List<BenchSample> samples = List.of(
                TinyModel.sample("1", "color", "What color is the shape?", List.of(ok), "red", "green"),
                TinyModel.sample("2", "color", "What color is the shape?", List.of(broken), "red", "green"),
                TinyModel.sample("3", "color", "What color is the shape?", List.of(ok), "red"),
                TinyModel.sample("4", "color", "What color is the shape?", List.of(ok), "red", " "),
                TinyModel.sample("5", "color", "What color is the shape?", List.of(images.resolve("missing.jpg")), "red", "blue"),
                TinyModel.sample("6", "color", "Is <image> here?", List.of(ok), "red", "blue"),
                TinyModel.sample("7", "color", "What color is the shape?", List.of(ok), "red", "blue"));
        for (Scorer scorer : List.of(packed, perCandidate)) {
            List<SampleResult> r = scorer.score(samples, ProgressListener.NONE);
            assertTrue(r.get(0).success());
            assertTrue(r.get(6).success());
            assertFalse(Double.isNaN(r.get(6).sds()));
            assertTrue(r.get(1).failure().contains("color/2") && r.get(1).failure().contains("broken.png"), r.get(1).failure());
            assertTrue(r.get(2).failure().contains("color/3") && r.get(2).failure().contains("2 candidates"), r.get(2).failure());
            assertTrue(r.get(3).failure().contains("color/4") && r.get(3).failure().contains("candidate 1 is empty"), r.get(3).failure());
            assertTrue(r.get(4).failure().contains("missing.jpg"), r.get(4).failure());
            assertTrue(r.get(5).failure().contains("image tokens"), r.get(5).failure());
            assertTrue(Double.isNaN(r.get(1).sds()));
        }
    }

    @Test
    void resultsCarryEverythingTheReferenceOutputHas() {
        BenchSample s = drawnSamples().get(0);
        SampleResult r = packed.score(List.of(s), ProgressListener.NONE).get(0);
        assertEquals(s.key(), r.key());
        assertEquals(s.id(), r.id());
        assertEquals(s.task(), r.task());
        assertEquals(s.candidates().size(), r.probabilities().length);
        assertEquals(1.0, java.util.Arrays.stream(r.probabilities()).sum(), 1e-9);
        assertEquals(r.probabilities()[0], r.sds(), 0);
        for (int k = 0; k < r.tokenCounts().length; k++) {
            // " red" etc.: a leading space plus one token per character.
            assertEquals(1 + s.candidates().get(k).length(), r.tokenCounts()[k]);
            assertEquals(java.util.Arrays.stream(r.tokenLogits().get(k)).average().orElseThrow(), r.meanLogits()[k], 1e-9);
        }
        assertNotNull(packed.modelConfig());
        assertTrue(r.millis() >= 0);
    }

    @Test
    void trainedCheckpointPerceivesColours() {
        // The demo story: the last checkpoint learnt colour (a perception task). Drawn with java.awt, PNG and JPEG.
        String[] names = {"red", "green", "blue", "yellow", "purple", "orange"};
        Color[] colors = {new Color(220, 30, 30), new Color(30, 160, 40), new Color(30, 60, 220),
                new Color(235, 205, 20), new Color(140, 40, 170), new Color(250, 140, 20)};
        List<BenchSample> samples = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            Path img = TinyModel.draw(images, "c" + i, colors[i], i % 2 == 0 ? "circle" : "square", 40 + 8 * i, 60, 22, i % 3 == 0 ? "jpg" : "png");
            List<String> cands = new ArrayList<>();
            cands.add(names[i]);
            for (String n : names) {
                if (!n.equals(names[i])) {
                    cands.add(n);
                }
            }
            samples.add(TinyModel.sample("c" + i, "color", "What color is the shape?", List.of(img), cands.toArray(String[]::new)));
        }
        List<SampleResult> r = packed.score(samples, ProgressListener.NONE);
        long correct = r.stream().filter(SampleResult::correct).count();
        double meanSds = r.stream().mapToDouble(SampleResult::sds).average().orElseThrow();
        assertTrue(correct >= 4 && meanSds > 1.0 / 6, "correct " + correct + "/6, mean SDS " + meanSds);
    }

    /** Samples with one or two images (PNG and JPEG), candidates of different lengths. */
    static List<BenchSample> drawnSamples() {
        Path a = TinyModel.draw(images, "a", Color.BLUE, "circle", 40, 50, 20, "png");
        Path b = TinyModel.draw(images, "b", Color.ORANGE, "triangle", 90, 70, 25, "jpg");
        Path c = TinyModel.draw(images, "c", Color.GREEN, "diamond", 64, 30, 18, "png");
        return List.of(
                TinyModel.sample("1", "color", "What color is the shape?", List.of(a), "blue", "red", "green", "yellow"),
                TinyModel.sample("2", "shape", "What shape is shown?", List.of(b), "triangle", "circle", "square", "diamond"),
                TinyModel.sample("3", "position", "Where is the shape?", List.of(c), "top", "bottom", "left", "right"),
                TinyModel.sample("4", "count", "How many shapes are there?", List.of(a), "1", "2", "3", "4"),
                TinyModel.sample("5", "compare", "Which image has more red? Answer with first or second.", List.of(a, b),
                        "second", "first", "neither of them"),
                TinyModel.sample("6", "text", "What is 2+2?", List.of(), "4", "five", "22"));
    }
}
