package dev.radar.scoring.djl;

import dev.radar.scoring.ModelConfig;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes an image file and turns it into normalised CHW float tiles ({@code (x/255 - mean) / std}), as the
 * package's radar-model.json asks: resize to the tile size (or to the tiling grid, then cut), RGB, alpha over
 * white. Stateless and thread-safe: runs on the prefetch threads.
 */
final class ImagePreprocessor {

    private final ModelConfig.Image cfg;
    private final float[] mean = new float[3];
    private final float[] invStd = new float[3];

    ImagePreprocessor(ModelConfig.Image cfg) {
        this.cfg = cfg;
        for (int c = 0; c < 3; c++) {
            mean[c] = cfg.mean().get(c).floatValue();
            invStd[c] = (float) (1.0 / cfg.std().get(c));
        }
    }

    /** The tiles of {@code file} in model order; IOException names the file when it cannot be decoded. */
    List<float[]> tiles(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("image not found: " + file);
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException("not a readable image: " + file);
        }
        int h = cfg.height();
        int w = cfg.width();
        ModelConfig.Tiling t = cfg.tiling();
        int rows = t == null ? 1 : t.rows();
        int cols = t == null ? 1 : t.cols();
        List<float[]> out = new ArrayList<>(rows * cols + 1);
        BufferedImage grid = resize(img, cols * w, rows * h);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out.add(normalise(grid, c * w, r * h, w, h));
            }
        }
        if (t != null && t.thumbnail() && rows * cols > 1) {
            out.add(normalise(resize(img, w, h), 0, 0, w, h));
        }
        return out;
    }

    private BufferedImage resize(BufferedImage src, int w, int h) {
        if (src.getWidth() == w && src.getHeight() == h && src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, "bicubic".equalsIgnoreCase(cfg.resize())
                    ? RenderingHints.VALUE_INTERPOLATION_BICUBIC : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    private float[] normalise(BufferedImage img, int x0, int y0, int w, int h) {
        int[] rgb = img.getRGB(x0, y0, w, h, null, 0, w);
        int plane = w * h;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[i] = (((p >> 16) & 0xff) / 255f - mean[0]) * invStd[0];
            out[plane + i] = (((p >> 8) & 0xff) / 255f - mean[1]) * invStd[1];
            out[2 * plane + i] = ((p & 0xff) / 255f - mean[2]) * invStd[2];
        }
        return out;
    }
}
