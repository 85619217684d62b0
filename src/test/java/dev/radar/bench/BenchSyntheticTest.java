package dev.radar.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchSyntheticTest {
    @TempDir
    Path dir;

    @Test
    void generatesTheLayoutWithTheContractTemplates() throws Exception {
        Benchmark b = SyntheticBenchmark.generate(dir.resolve("s"), 6, 7);
        assertEquals(List.of(), b.problems());
        assertEquals(48, b.samples().size());
        assertTrue(Files.isRegularFile(dir.resolve("s/synthetic/Synthetic_color_6_pretrained_mllm_eval.json")));
        for (BenchSample s : b.samples()) {
            assertEquals("Synthetic", s.source());
            assertEquals(4, s.candidates().size(), s.key());
            assertEquals(4, new HashSet<>(s.candidates()).size(), "duplicate candidate in " + s);
            assertEquals(List.of(dir.resolve("s/synthetic/images/" + s.id() + ".jpg")), s.images());
            String expected = switch (s.category()) {
                case "color" -> "What color is the shape?";
                case "shape" -> "What shape is shown?";
                case "count" -> "How many shapes are there?";
                case "position" -> "Where is the shape?";
                case "arithmetic" -> "How many red shapes and blue shapes are there in total?";
                case "comparison" -> "Which color has the most shapes?";
                case "spatial" -> "What color is the shape left of the " + s.candidates().get(1) + " shape?";
                case "pattern" -> "How many shapes come next in the pattern?";
                default -> throw new AssertionError(s.category());
            };
            assertEquals(expected, s.question());
            String answer = s.candidates().get(0);
            switch (s.category()) {
                case "color", "comparison", "spatial" -> assertTrue(SyntheticBenchmark.COLORS.containsKey(answer));
                case "shape" -> assertTrue(SyntheticBenchmark.SHAPES.contains(answer));
                case "position" -> assertTrue(SyntheticBenchmark.POSITIONS.contains(answer));
                case "count" -> assertTrue(answer.matches("[1-6]"), answer);
                case "arithmetic" -> assertTrue(answer.matches("[2-9]"), answer);
                case "pattern" -> assertTrue(answer.matches("[4-9]"), answer);
                default -> throw new AssertionError();
            }
            BufferedImage img = ImageIO.read(s.images().get(0).toFile());
            assertEquals(128, img.getWidth());
            assertEquals(128, img.getHeight());
            assertWhite(img.getRGB(0, 0));
        }
    }

    @Test
    void imagesShowWhatTheAnswersSay() throws Exception {
        Benchmark b = SyntheticBenchmark.generate(dir.resolve("p"), 8, 3);
        for (BenchSample s : b.samples()) {
            BufferedImage img = ImageIO.read(s.images().get(0).toFile());
            String answer = s.candidates().get(0);
            switch (s.category()) {
                case "color" -> assertEquals(answer, dominantColor(img, 0, 128), s.key());
                case "spatial" -> assertEquals(answer, dominantColor(img, 0, 64), s.key());
                case "position" -> {
                    double[] c = centroid(img);
                    String side = Math.abs(c[0] - 64) > Math.abs(c[1] - 64)
                            ? (c[0] < 64 ? "left" : "right") : (c[1] < 64 ? "top" : "bottom");
                    assertEquals(answer, side, s.key());
                }
                default -> {
                }
            }
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherVersion() {
        String a = SyntheticBenchmark.generate(dir.resolve("a"), 3, 11).version();
        String again = SyntheticBenchmark.generate(dir.resolve("b"), 3, 11).version();
        String other = SyntheticBenchmark.generate(dir.resolve("c"), 3, 12).version();
        assertEquals(a, again);
        assertNotEquals(a, other);
        // Regenerating in place replaces the folder instead of adding a second file per task.
        Benchmark regen = SyntheticBenchmark.generate(dir.resolve("a"), 2, 11);
        assertEquals(16, regen.samples().size());
        assertEquals(List.of(), regen.problems());
    }

    @Test
    void thousandSamplesLoadQuickly() {
        Path out = dir.resolve("big");
        SyntheticBenchmark.generate(out, 125, 1);
        long t0 = System.nanoTime();
        Benchmark b = Benchmark.load(out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(1000, b.samples().size());
        assertEquals(Map.of("perception", 500, "reasoning", 500), Map.of(
                "perception", (int) b.samples().stream().filter(s -> b.taxonomy().abilityOf(s.task()).ability().equals("perception")).count(),
                "reasoning", (int) b.samples().stream().filter(s -> b.taxonomy().abilityOf(s.task()).ability().equals("reasoning")).count()));
        // Typically 0.3-1.7 s on a busy shared 2-core machine; the bound only catches gross regressions.
        assertTrue(ms < 5000, "load of 1000 samples took " + ms + " ms");
    }

    private static void assertWhite(int rgb) {
        Color c = new Color(rgb);
        assertTrue(c.getRed() > 240 && c.getGreen() > 240 && c.getBlue() > 240, "not white: " + c);
    }

    /** Palette colour nearest to most non-white pixels with x in [x0, x1). */
    private static String dominantColor(BufferedImage img, int x0, int x1) {
        Map<String, Integer> votes = new java.util.HashMap<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = x0; x < x1; x++) {
                Color c = new Color(img.getRGB(x, y));
                if (c.getRed() + c.getGreen() + c.getBlue() > 700) {
                    continue;
                }
                String best = null;
                double bd = Double.MAX_VALUE;
                for (var e : SyntheticBenchmark.COLORS.entrySet()) {
                    Color p = e.getValue();
                    double d = Math.pow(p.getRed() - c.getRed(), 2) + Math.pow(p.getGreen() - c.getGreen(), 2)
                            + Math.pow(p.getBlue() - c.getBlue(), 2);
                    if (d < bd) {
                        bd = d;
                        best = e.getKey();
                    }
                }
                votes.merge(best, 1, Integer::sum);
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static double[] centroid(BufferedImage img) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color c = new Color(img.getRGB(x, y));
                if (c.getRed() + c.getGreen() + c.getBlue() < 600) {
                    sx += x;
                    sy += y;
                    n++;
                }
            }
        }
        return new double[]{sx / n, sy / n};
    }
}
