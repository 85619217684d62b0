package dev.radar.bench;

import dev.radar.FileTrees;
import dev.radar.RadarException;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * RADAR's synthetic benchmark in the M3-Bench layout: drawn 128x128 images (filled shapes on white) and
 * questions that need perception (color, shape, count, position) or reasoning (arithmetic, comparison,
 * spatial, pattern). The question texts are a contract with the test model's training script: keep them.
 *
 * <p>Deterministic: the same seed gives byte-identical files (java.util.Random is specified, drawing is
 * without anti-aliasing, JPEG at a fixed quality), hence the same benchmark version.
 */
public final class SyntheticBenchmark {
    public static final String FOLDER = "synthetic";
    public static final String SOURCE = "Synthetic";
    public static final int SIZE = 128;

    public static final List<String> PERCEPTION_TASKS = List.of("color", "shape", "count", "position");
    public static final List<String> REASONING_TASKS = List.of("arithmetic", "comparison", "spatial", "pattern");

    public static final String Q_COLOR = "What color is the shape?";
    public static final String Q_SHAPE = "What shape is shown?";
    public static final String Q_COUNT = "How many shapes are there?";
    public static final String Q_POSITION = "Where is the shape?";
    public static final String Q_ARITHMETIC = "How many red shapes and blue shapes are there in total?";
    public static final String Q_COMPARISON = "Which color has the most shapes?";
    /** {@code %s} is the colour of the right-hand shape. */
    public static final String Q_SPATIAL = "What color is the shape left of the %s shape?";
    public static final String Q_PATTERN = "How many shapes come next in the pattern?";

    static final Map<String, Color> COLORS = colors();
    static final List<String> SHAPES = List.of("circle", "square", "triangle", "diamond");
    static final List<String> POSITIONS = List.of("left", "right", "top", "bottom");

    private SyntheticBenchmark() {
    }

    private static Map<String, Color> colors() {
        Map<String, Color> c = new LinkedHashMap<>();
        c.put("red", new Color(230, 25, 25));
        c.put("green", new Color(30, 160, 40));
        c.put("blue", new Color(30, 60, 220));
        c.put("yellow", new Color(240, 200, 0));
        c.put("purple", new Color(130, 40, 170));
        c.put("orange", new Color(250, 130, 0));
        return Collections.unmodifiableMap(c);
    }

    /** All eight task categories, perception first. */
    public static List<String> tasks() {
        List<String> all = new ArrayList<>(PERCEPTION_TASKS);
        all.addAll(REASONING_TASKS);
        return all;
    }

    /**
     * Writes {@code out/synthetic} (replacing an earlier one) and loads the benchmark at {@code out}.
     *
     * @param samplesPerTask questions per task, at least 1
     */
    public static Benchmark generate(Path out, int samplesPerTask, long seed) {
        if (samplesPerTask < 1) {
            throw new IllegalArgumentException("samples per task must be at least 1, was " + samplesPerTask);
        }
        Path folder = out.resolve(FOLDER);
        deleteTree(folder);
        for (String task : tasks()) {
            // One stream per task, so adding a task never changes the others' samples.
            Random rnd = new Random(seed * 1_000_003L + task.hashCode());
            List<M3BenchWriter.Question> qs = new ArrayList<>();
            for (int i = 1; i <= samplesPerTask; i++) {
                String id = String.format("%s_%04d", task, i);
                BufferedImage img = canvas();
                Graphics2D g = img.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                Item item = draw(task, g, rnd);
                g.dispose();
                M3BenchWriter.writeBytes(folder.resolve("images").resolve(id + ".jpg"), M3BenchWriter.jpeg(img));
                qs.add(new M3BenchWriter.Question(id, item.question(), item.answer(), item.distraction(), 1));
            }
            M3BenchWriter.writeTask(folder, Names.task(SOURCE, task), qs);
        }
        return Benchmark.load(out);
    }

    private record Item(String question, String answer, List<String> distraction) {
    }

    private static Item draw(String task, Graphics2D g, Random rnd) {
        return switch (task) {
            case "color" -> {
                String c = pick(colorNames(), rnd);
                shape(g, pick(SHAPES, rnd), 24 + rnd.nextInt(80), 24 + rnd.nextInt(80), 36 + rnd.nextInt(12), c);
                yield new Item(Q_COLOR, c, others(colorNames(), List.of(c), 3, rnd));
            }
            case "shape" -> {
                String s = pick(SHAPES, rnd);
                shape(g, s, 40 + rnd.nextInt(48), 40 + rnd.nextInt(48), 44 + rnd.nextInt(16), pick(colorNames(), rnd));
                yield new Item(Q_SHAPE, s, others(SHAPES, List.of(s), 3, rnd));
            }
            case "count" -> {
                int n = 1 + rnd.nextInt(6);
                grid(g, Collections.nCopies(n, pick(colorNames(), rnd)), pick(SHAPES, rnd), rnd);
                yield new Item(Q_COUNT, String.valueOf(n), nearby(n, 1, 6, rnd));
            }
            case "position" -> {
                String p = pick(POSITIONS, rnd);
                int along = 64 + rnd.nextInt(25) - 12;   // anywhere near the middle of that side
                int depth = 20 + rnd.nextInt(6);         // clearly inside the outer third
                int x = switch (p) {
                    case "left" -> depth;
                    case "right" -> SIZE - depth;
                    default -> along;
                };
                int y = switch (p) {
                    case "top" -> depth;
                    case "bottom" -> SIZE - depth;
                    default -> along;
                };
                shape(g, pick(SHAPES, rnd), x, y, 24 + rnd.nextInt(8), pick(colorNames(), rnd));
                yield new Item(Q_POSITION, p, others(POSITIONS, List.of(p), 3, rnd));
            }
            case "arithmetic" -> {
                int total = 2 + rnd.nextInt(8);
                int red = 1 + rnd.nextInt(total - 1);
                List<String> cs = new ArrayList<>(Collections.nCopies(red, "red"));
                cs.addAll(Collections.nCopies(total - red, "blue"));
                grid(g, cs, pick(SHAPES, rnd), rnd);
                yield new Item(Q_ARITHMETIC, String.valueOf(total), nearby(total, 1, 12, rnd));
            }
            case "comparison" -> {
                int k = 2 + rnd.nextInt(2);
                List<String> present = others(colorNames(), List.of(), k, rnd);
                // Distinct counts, at most 9 shapes in all: 1..5 for two colours, 1..4 for three.
                List<Integer> counts = others(List.of(1, 2, 3, 4, 5).subList(0, k == 2 ? 5 : 4), List.of(), k, rnd);
                List<String> cs = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    cs.addAll(Collections.nCopies(counts.get(i), present.get(i)));
                }
                String most = present.get(counts.indexOf(Collections.max(counts)));
                grid(g, cs, pick(SHAPES, rnd), rnd);
                List<String> dist = new ArrayList<>(present);
                dist.remove(most);
                List<String> used = new ArrayList<>(present);
                dist.addAll(others(colorNames(), used, 3 - dist.size(), rnd));
                yield new Item(Q_COMPARISON, most, dist);
            }
            case "spatial" -> {
                List<String> two = others(colorNames(), List.of(), 2, rnd);
                int y = 44 + rnd.nextInt(41);
                shape(g, pick(SHAPES, rnd), 34, y, 36, two.get(0));
                shape(g, pick(SHAPES, rnd), 94, y, 36, two.get(1));
                List<String> dist = new ArrayList<>(List.of(two.get(1)));
                dist.addAll(others(colorNames(), two, 2, rnd));
                yield new Item(String.format(Q_SPATIAL, two.get(1)), two.get(0), dist);
            }
            case "pattern" -> {
                int[][] designs = {{1, 1}, {2, 1}, {3, 1}, {1, 2}, {2, 2}, {3, 2}};
                int[] d = designs[rnd.nextInt(designs.length)];
                String c = pick(colorNames(), rnd);
                String s = pick(SHAPES, rnd);
                for (int col = 0; col < 3; col++) {
                    int n = d[0] + col * d[1];
                    for (int j = 0; j < n; j++) {
                        shape(g, s, 24 + 40 * col, 114 - 14 * j, 11, c);
                    }
                }
                int next = d[0] + 3 * d[1];
                List<String> dist = new ArrayList<>();
                for (int v : new int[]{next - d[1], next + 1, next - 1, next + 2}) {
                    String t = String.valueOf(v);
                    if (v != next && !dist.contains(t) && dist.size() < 3) {
                        dist.add(t);
                    }
                }
                yield new Item(Q_PATTERN, String.valueOf(next), dist);
            }
            default -> throw new IllegalArgumentException("unknown synthetic task " + task);
        };
    }

    private static BufferedImage canvas() {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, SIZE, SIZE);
        g.dispose();
        return img;
    }

    /** Shapes in distinct cells of a 3x3 grid, so they never overlap and can be counted. */
    private static void grid(Graphics2D g, List<String> colorsOfShapes, String kind, Random rnd) {
        List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        Collections.shuffle(cells, rnd);
        for (int i = 0; i < colorsOfShapes.size(); i++) {
            int cell = cells.get(i);
            int x = 24 + 40 * (cell % 3) + rnd.nextInt(5) - 2;
            int y = 24 + 40 * (cell / 3) + rnd.nextInt(5) - 2;
            shape(g, kind, x, y, 24 + rnd.nextInt(6), colorsOfShapes.get(i));
        }
    }

    private static void shape(Graphics2D g, String kind, int cx, int cy, int size, String color) {
        g.setColor(COLORS.get(color));
        int h = size / 2;
        switch (kind) {
            case "circle" -> g.fillOval(cx - h, cy - h, size, size);
            case "square" -> {
                int s = size * 7 / 8; // about the circle's area
                g.fillRect(cx - s / 2, cy - s / 2, s, s);
            }
            case "triangle" -> g.fillPolygon(new int[]{cx, cx + h, cx - h}, new int[]{cy - h, cy + h, cy + h}, 3);
            case "diamond" -> g.fillPolygon(new int[]{cx, cx + h, cx, cx - h}, new int[]{cy - h, cy, cy + h, cy}, 4);
            default -> throw new IllegalArgumentException("unknown shape " + kind);
        }
    }

    private static List<String> colorNames() {
        return List.copyOf(COLORS.keySet());
    }

    private static <T> T pick(List<T> from, Random rnd) {
        return from.get(rnd.nextInt(from.size()));
    }

    /** {@code k} distinct elements of {@code pool} not in {@code exclude}, in random order. */
    private static <T> List<T> others(List<T> pool, List<T> exclude, int k, Random rnd) {
        List<T> rest = new ArrayList<>(pool);
        rest.removeAll(exclude);
        Collections.shuffle(rest, rnd);
        return new ArrayList<>(rest.subList(0, k));
    }

    /** The three numbers in [lo, hi] closest to {@code n} (ties in random order): plausible wrong counts. */
    private static List<String> nearby(int n, int lo, int hi, Random rnd) {
        List<Integer> pool = new ArrayList<>();
        for (int v = lo; v <= hi; v++) {
            if (v != n) {
                pool.add(v);
            }
        }
        Collections.shuffle(pool, rnd);
        pool.sort(Comparator.comparingInt(v -> Math.abs(v - n)));
        List<String> out = new ArrayList<>();
        for (int v : pool.subList(0, 3)) {
            out.add(String.valueOf(v));
        }
        return out;
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            throw new RadarException("cannot replace " + dir + ": " + e.getMessage(), e);
        }
    }
}
