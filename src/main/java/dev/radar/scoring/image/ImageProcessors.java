package dev.radar.scoring.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The three families' reference image preprocessing, each reproduced step by step (see models/README.md, "Image
 * preprocessing", and the golden test for what is proven and how):
 *
 * <ul>
 *   <li>{@link #qwen2vl}: qwen_vl_utils 0.0.14 {@code fetch_image} (to_rgb, smart_resize with its own 4..16384
 *       token bounds, Pillow bicubic) then Qwen2VLImageProcessorFast (the class AutoProcessor picks for Qwen2-VL
 *       when torchvision is installed): smart_resize with the reference's min/max pixels, torch uint8 antialiased
 *       bicubic, fused rescale+normalise, patchify with temporal_patch_size 2 and merge 2.</li>
 *   <li>{@link #internvl}: InternVL3.5's {@code load_image}: convert("RGB"), dynamic_preprocess (closest aspect
 *       ratio with its tie rule, Pillow bicubic to the grid, crops, thumbnail of the original), ToTensor,
 *       Normalize.</li>
 *   <li>{@link #llavaSquare}: LLaVA-NeXT {@code process_images} with image_aspect_ratio "square":
 *       SigLipImageProcessor (Pillow bicubic to size x size, rescale in float64, normalise in float32).</li>
 * </ul>
 * The processors are stateless and thread-safe.
 */
public final class ImageProcessors {
    private ImageProcessors() {
    }

    /**
     * Qwen2-VL dynamic resolution; the reference passes minPixels = 256*28*28 and maxPixels = 768*28*28.
     *
     * @param mean per-channel mean (OpenAI CLIP for Qwen2-VL)
     * @param std  per-channel standard deviation
     */
    public static ImageProcessor qwen2vl(int minPixels, int maxPixels, double[] mean, double[] std) {
        if (minPixels <= 0 || maxPixels < minPixels) {
            throw new IllegalArgumentException("need 0 < minPixels <= maxPixels, got " + minPixels + ", " + maxPixels);
        }
        return new Qwen2Vl(minPixels, maxPixels, channels(mean, "mean"), channels(std, "std"));
    }

    /** InternVL3.5 dynamic tiling; the reference uses imageSize 448, maxTiles 3, thumbnail true, ImageNet mean/std. */
    public static ImageProcessor internvl(int imageSize, int maxTiles, boolean thumbnail, double[] mean,
                                         double[] std) {
        if (imageSize <= 0 || maxTiles <= 0) {
            throw new IllegalArgumentException("need imageSize > 0 and maxTiles > 0");
        }
        return new InternVl(imageSize, maxTiles, thumbnail, channels(mean, "mean"), channels(std, "std"));
    }

    /** LLaVA-OneVision projector checkpoints: square resize to SigLIP's imageSize (384), mean/std 0.5. */
    public static ImageProcessor llavaSquare(int imageSize, double[] mean, double[] std) {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("need imageSize > 0");
        }
        return new LlavaSquare(imageSize, channels(mean, "mean"), channels(std, "std"));
    }

    private static double[] channels(double[] values, String what) {
        if (values == null || values.length != 3) {
            throw new IllegalArgumentException(what + " needs 3 values (R, G, B)");
        }
        return values.clone();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Qwen2-VL
    // ----------------------------------------------------------------------------------------------------------
    static final class Qwen2Vl implements ImageProcessor {
        static final int PATCH = 14;
        static final int MERGE = 2;
        static final int TEMPORAL = 2;
        static final int FACTOR = PATCH * MERGE;
        /** qwen_vl_utils' own bounds, used by fetch_image because the reference's messages carry no min/max. */
        static final int FETCH_MIN_PIXELS = 4 * FACTOR * FACTOR;
        static final int FETCH_MAX_PIXELS = 16384 * FACTOR * FACTOR;

        private final int minPixels;
        private final int maxPixels;
        private final float[] mean255;
        private final float[] std255;

        Qwen2Vl(int minPixels, int maxPixels, double[] mean, double[] std) {
            this.minPixels = minPixels;
            this.maxPixels = maxPixels;
            // the fast processor fuses rescale into normalise: mean and std (float32 tensors) times 1/rescale = 255
            this.mean255 = new float[3];
            this.std255 = new float[3];
            for (int c = 0; c < 3; c++) {
                mean255[c] = (float) mean[c] * 255f;
                std255[c] = (float) std[c] * 255f;
            }
        }

        @Override
        public VisionInput process(Path file) throws ImageLoadException {
            RgbImage image = PillowDecoder.decode(file).qwenToRgb();
            // fetch_image: smart_resize with qwen_vl_utils' defaults, then Pillow's resize (bicubic for RGB)
            int[] fetched = fetchImageSize(file, image.height, image.width);
            image = Resampler.PIL_BICUBIC.resize(image, fetched[1], fetched[0]);
            // Qwen2VLImageProcessorFast: smart_resize with the reference's bounds, torchvision resize on uint8
            int[] target = processorSize(file, image.height, image.width, minPixels, maxPixels);
            image = Resampler.TORCH_ANTIALIAS_BICUBIC.resize(image, target[1], target[0]);
            return patchify(image);
        }

        VisionInput patchify(RgbImage image) {
            int gridH = image.height / PATCH;
            int gridW = image.width / PATCH;
            int patches = gridH * gridW;
            int rowLength = 3 * TEMPORAL * PATCH * PATCH;
            float[] out = new float[patches * rowLength];
            long[] pos = new long[patches * 2];
            int p = 0;
            // patch order of view(...).permute(0, 1, 4, 7, 5, 8, 3, 2, 6, 9): merge window row, window col, row in
            // window, col in window; inside a patch: channel, temporal copy, y, x
            for (int bh = 0; bh < gridH / MERGE; bh++) {
                for (int bw = 0; bw < gridW / MERGE; bw++) {
                    for (int mi = 0; mi < MERGE; mi++) {
                        for (int mj = 0; mj < MERGE; mj++, p++) {
                            int row = bh * MERGE + mi;
                            int col = bw * MERGE + mj;
                            pos[p * 2] = row;
                            pos[p * 2 + 1] = col;
                            int o = p * rowLength;
                            for (int c = 0; c < 3; c++) {
                                int start = o;
                                for (int py = 0; py < PATCH; py++) {
                                    int y = row * PATCH + py;
                                    for (int px = 0; px < PATCH; px++) {
                                        int u = image.sample(col * PATCH + px, y, c);
                                        out[o++] = ((float) u - mean255[c]) / std255[c];
                                    }
                                }
                                // temporal_patch_size 2: the single frame is repeated
                                System.arraycopy(out, start, out, o, PATCH * PATCH);
                                o += PATCH * PATCH;
                            }
                        }
                    }
                }
            }
            int[] grid = {1, gridH, gridW};
            return new VisionInput(out, new long[] {patches, rowLength}, grid, pos, 1, patches / (MERGE * MERGE));
        }

        /** qwen_vl_utils.smart_resize(height, width, 28, 4*28*28, 16384*28*28) as fetch_image calls it. */
        static int[] fetchImageSize(Path file, int height, int width) throws ImageLoadException {
            checkAspect(file, height, width);
            long hBar = Math.max(FACTOR, roundByFactor(height));
            long wBar = Math.max(FACTOR, roundByFactor(width));
            if (hBar * wBar > FETCH_MAX_PIXELS) {
                double beta = Math.sqrt((double) ((long) height * width) / FETCH_MAX_PIXELS);
                hBar = (long) Math.floor(height / beta / FACTOR) * FACTOR;
                wBar = (long) Math.floor(width / beta / FACTOR) * FACTOR;
            } else if (hBar * wBar < FETCH_MIN_PIXELS) {
                double beta = Math.sqrt(FETCH_MIN_PIXELS / (double) ((long) height * width));
                hBar = (long) Math.ceil(height * beta / FACTOR) * FACTOR;
                wBar = (long) Math.ceil(width * beta / FACTOR) * FACTOR;
            }
            return checkedSize(file, hBar, wBar);
        }

        /** transformers' Qwen2-VL smart_resize (clamps to one factor after flooring, not before). */
        static int[] processorSize(Path file, int height, int width, int minPixels, int maxPixels)
                throws ImageLoadException {
            checkAspect(file, height, width);
            long hBar = roundByFactor(height);
            long wBar = roundByFactor(width);
            if (hBar * wBar > maxPixels) {
                double beta = Math.sqrt((double) ((long) height * width) / maxPixels);
                hBar = Math.max(FACTOR, (long) Math.floor(height / beta / FACTOR) * FACTOR);
                wBar = Math.max(FACTOR, (long) Math.floor(width / beta / FACTOR) * FACTOR);
            } else if (hBar * wBar < minPixels) {
                double beta = Math.sqrt(minPixels / (double) ((long) height * width));
                hBar = (long) Math.ceil(height * beta / FACTOR) * FACTOR;
                wBar = (long) Math.ceil(width * beta / FACTOR) * FACTOR;
            }
            return checkedSize(file, hBar, wBar);
        }

        /** Python's round() is round-half-to-even, as Math.rint. */
        private static long roundByFactor(int value) {
            return (long) Math.rint((double) value / FACTOR) * FACTOR;
        }

        private static void checkAspect(Path file, int height, int width) throws ImageLoadException {
            double ratio = (double) Math.max(height, width) / Math.min(height, width);
            if (ratio > 200) {
                throw new ImageLoadException(file, "absolute aspect ratio must be smaller than 200, got " + ratio
                        + " (Qwen2-VL smart_resize rejects it)");
            }
        }

        private static int[] checkedSize(Path file, long h, long w) throws ImageLoadException {
            if (h < FACTOR || w < FACTOR || h * w > Integer.MAX_VALUE / 3) {
                throw new ImageLoadException(file, "Qwen2-VL smart_resize gives an unusable size " + w + "x" + h);
            }
            return new int[] {(int) h, (int) w};
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // InternVL3.5
    // ----------------------------------------------------------------------------------------------------------
    static final class InternVl implements ImageProcessor {
        private final int imageSize;
        private final int maxTiles;
        private final boolean thumbnail;
        private final float[] mean;
        private final float[] std;
        private final List<int[]> ratios;

        InternVl(int imageSize, int maxTiles, boolean thumbnail, double[] mean, double[] std) {
            this.imageSize = imageSize;
            this.maxTiles = maxTiles;
            this.thumbnail = thumbnail;
            this.mean = toFloat(mean);
            this.std = toFloat(std);
            this.ratios = targetRatios(maxTiles);
        }

        /**
         * (cols, rows) with 1 <= cols*rows <= maxTiles, sorted by tile count (Python's stable sort of a set). Within
         * one count, pairs come in ascending cols; the script's set order can differ there, but that order only
         * matters when mirrored ratios (a,b) and (b,a) tie as best, and a ratio closer to 1 always lies between them
         * ((1,1) is always a candidate), so they never do.
         */
        static List<int[]> targetRatios(int maxTiles) {
            List<int[]> out = new ArrayList<>();
            for (int count = 1; count <= maxTiles; count++) {
                for (int cols = 1; cols <= count; cols++) {
                    if (count % cols == 0) {
                        out.add(new int[] {cols, count / cols});
                    }
                }
            }
            return out;
        }

        /** find_closest_aspect_ratio: first strictly closer ratio wins; an exact tie goes to the later ratio only
         *  when the image area exceeds half the tiled area. */
        int[] closestRatio(int width, int height) {
            double aspect = (double) width / height;
            double bestDiff = Double.POSITIVE_INFINITY;
            int[] best = {1, 1};
            long area = (long) width * height;
            for (int[] ratio : ratios) {
                double diff = Math.abs(aspect - (double) ratio[0] / ratio[1]);
                if (diff < bestDiff) {
                    bestDiff = diff;
                    best = ratio;
                } else if (diff == bestDiff && area > 0.5 * imageSize * imageSize * ratio[0] * ratio[1]) {
                    best = ratio;
                }
            }
            return best;
        }

        @Override
        public VisionInput process(Path file) throws ImageLoadException {
            RgbImage image = PillowDecoder.decode(file).convertRgb();
            int[] ratio = closestRatio(image.width, image.height);
            int cols = ratio[0];
            int rows = ratio[1];
            RgbImage grid = Resampler.PIL_BICUBIC.resize(image, imageSize * cols, imageSize * rows);
            List<RgbImage> tiles = new ArrayList<>();
            for (int k = 0; k < cols * rows; k++) {
                tiles.add(grid.crop((k % cols) * imageSize, (k / cols) * imageSize, imageSize, imageSize));
            }
            if (thumbnail && tiles.size() != 1) {
                tiles.add(Resampler.PIL_BICUBIC.resize(image, imageSize, imageSize));
            }
            // build_transform: Resize((s, s), BICUBIC) is a no-op on an s x s tile (torchvision returns the image
            // when the size already matches), then ToTensor (u8 / 255 in float32) and Normalize ((x - m) / s)
            int plane = imageSize * imageSize;
            float[] out = new float[tiles.size() * 3 * plane];
            for (int t = 0; t < tiles.size(); t++) {
                RgbImage tile = tiles.get(t);
                for (int c = 0; c < 3; c++) {
                    int o = (t * 3 + c) * plane;
                    for (int p = 0; p < plane; p++) {
                        float x = (float) (tile.rgb[p * 3 + c] & 0xFF) / 255f;
                        out[o + p] = (x - mean[c]) / std[c];
                    }
                }
            }
            return new VisionInput(out, new long[] {tiles.size(), 3, imageSize, imageSize}, null, null,
                    tiles.size(), 256 * tiles.size());
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // LLaVA-OneVision (projector checkpoints, image_aspect_ratio "square")
    // ----------------------------------------------------------------------------------------------------------
    static final class LlavaSquare implements ImageProcessor {
        private final int imageSize;
        private final float[] mean;
        private final float[] std;

        LlavaSquare(int imageSize, double[] mean, double[] std) {
            this.imageSize = imageSize;
            this.mean = toFloat(mean);
            this.std = toFloat(std);
        }

        @Override
        public VisionInput process(Path file) throws ImageLoadException {
            RgbImage image = PillowDecoder.decode(file).convertRgb();
            // SigLipImageProcessor calls transformers' resize without input_data_format, which infers the channel
            // axis from the HWC array: a first axis of 1 or 3 (an image 1 or 3 pixels high) is taken for channels.
            if (image.height == 1) {
                throw new ImageLoadException(file, "image is 1 pixel high: the reference's SigLIP preprocessing"
                        + " reads it as a 1-channel image and fails to normalise it");
            }
            if (image.height == 3) {
                image = channelsFirstMisreading(image);
            }
            RgbImage resized = Resampler.PIL_BICUBIC.resize(image, imageSize, imageSize);
            int plane = imageSize * imageSize;
            float[] out = new float[3 * plane];
            double rescale = 1.0 / 255;
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p++) {
                    // rescale: float64 product cast to float32; normalize: float32 arithmetic
                    float x = (float) ((resized.rgb[p * 3 + c] & 0xFF) * rescale);
                    out[c * plane + p] = (x - mean[c]) / std[c];
                }
            }
            return new VisionInput(out, new long[] {1, 3, imageSize, imageSize}, null, null, 1, 729);
        }

        /**
         * The image transformers' resize actually sees for a 3-pixel-high HWC array taken as CHW: a picture 3 pixels
         * wide and {@code width} high whose pixel (x, y) has channel k = the source's channel x at row k, column y.
         */
        static RgbImage channelsFirstMisreading(RgbImage image) {
            int outW = 3;
            int outH = image.width;
            byte[] rgb = new byte[outW * outH * 3];
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    for (int k = 0; k < 3; k++) {
                        rgb[(y * outW + x) * 3 + k] = (byte) image.sample(y, k, x);
                    }
                }
            }
            return new RgbImage(outW, outH, rgb);
        }
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
