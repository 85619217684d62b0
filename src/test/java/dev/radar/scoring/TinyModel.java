package dev.radar.scoring;

import dev.radar.bench.BenchSample;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test support: the committed tiny model and java.awt-drawn benchmark samples. */
final class TinyModel {

    static final Path ROOT = Path.of("models", "tiny-mllm");

    private TinyModel() {
    }

    /** The last (most trained) committed checkpoint. */
    static Path latestCheckpoint() {
        try (Stream<Path> dirs = Files.list(ROOT.resolve("checkpoints"))) {
            return dirs.filter(Files::isDirectory).sorted().reduce((a, b) -> b).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Draws one filled shape on white, like the synthetic benchmark; format png or jpg. */
    static Path draw(Path dir, String name, Color color, String shape, int cx, int cy, int r, String format) {
        BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 128, 128);
        g.setColor(color);
        switch (shape) {
            case "circle" -> g.fillOval(cx - r, cy - r, 2 * r, 2 * r);
            case "square" -> g.fillRect(cx - r, cy - r, 2 * r, 2 * r);
            case "triangle" -> g.fillPolygon(new Polygon(new int[]{cx, cx - r, cx + r}, new int[]{cy - r, cy + r, cy + r}, 3));
            default -> g.fillPolygon(new Polygon(new int[]{cx, cx + r, cx, cx - r}, new int[]{cy - r, cy, cy + r, cy}, 4));
        }
        g.dispose();
        Path file = dir.resolve(name + "." + format);
        try {
            ImageIO.write(img, format, file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static BenchSample sample(String id, String task, String question, List<Path> images, String... candidates) {
        return new BenchSample(id, task, "Synthetic", task, question, images, List.of(candidates));
    }
}
