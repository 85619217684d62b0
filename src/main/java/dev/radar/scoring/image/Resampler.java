package dev.radar.scoring.image;

/**
 * Separable convolution resampling of 8-bit RGB images, bit-exact with the two implementations the references run:
 *
 * <ul>
 *   <li>{@link #PIL_BICUBIC} / {@link #PIL_BILINEAR}: Pillow 11.3 {@code Image.resize} (libImaging/Resample.c,
 *       {@code ImagingResample}) on a whole-image box. The filter support widens by the scale when shrinking (that
 *       is the anti-aliasing AWT lacks); coefficients are normalised in double, then turned into fixed point with
 *       22 fraction bits ({@code PRECISION_BITS = 32 - 8 - 2}).</li>
 *   <li>{@link #TORCH_ANTIALIAS_BICUBIC}: torch 2.7 {@code interpolate(mode="bicubic", antialias=True)} on a uint8
 *       tensor, which torchvision's {@code resize} uses for uint8 CPU images (Qwen2VLImageProcessorFast). Same
 *       bounds and filter as Pillow (a = -0.5), but the weights become int16 with a precision chosen from the
 *       largest weight ({@code _compute_index_ranges_int16_weights}), so results can differ from Pillow's by one
 *       level; hence a separate flavour.</li>
 * </ul>
 *
 * Both run the horizontal pass first (skipped when the width does not change), store it as uint8 (round, clip to
 * 0..255), then the vertical pass (skipped when the height does not change).
 */
enum Resampler {
    PIL_BICUBIC(Filter.BICUBIC, false),
    PIL_BILINEAR(Filter.BILINEAR, false),
    TORCH_ANTIALIAS_BICUBIC(Filter.BICUBIC, true);

    private static final int PIL_PRECISION_BITS = 32 - 8 - 2;

    private final Filter filter;
    private final boolean torchInt16Weights;

    Resampler(Filter filter, boolean torchInt16Weights) {
        this.filter = filter;
        this.torchInt16Weights = torchInt16Weights;
    }

    /**
     * Resized copy of {@code in}. Same size returns {@code in} itself: Pillow's resize returns a copy and torchvision
     * returns the input unchanged, so the pixels are identical either way.
     */
    RgbImage resize(RgbImage in, int outWidth, int outHeight) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("target size " + outWidth + "x" + outHeight);
        }
        RgbImage current = in;
        if (outWidth != in.width) {
            current = horizontal(current, coefficients(in.width, outWidth));
        }
        if (outHeight != in.height) {
            current = vertical(current, coefficients(in.height, outHeight));
        }
        return current;
    }

    /** Fixed-point coefficients of one axis: output i reads input min[i] .. min[i]+size[i]-1. */
    record Coefficients(int[] min, int[] size, int[] weights, int kernelSize, int precision) {
    }

    Coefficients coefficients(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int kernelSize = (int) Math.ceil(support) * 2 + 1;
        double invScale = 1.0 / filterScale;
        double[] k = new double[outSize * kernelSize];
        int[] min = new int[outSize];
        int[] size = new int[outSize];
        double maxWeight = 0.0;
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xsize = Math.min((int) (center + support + 0.5), inSize) - xmin;
            // torch clips the rare rounding case where xsize exceeds the kernel; Pillow's buffer has the same bound
            xsize = Math.max(0, Math.min(xsize, kernelSize));
            double total = 0.0;
            for (int x = 0; x < xsize; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * invScale);
                k[i * kernelSize + x] = w;
                total += w;
            }
            for (int x = 0; x < xsize; x++) {
                if (total != 0.0) {
                    k[i * kernelSize + x] /= total;
                }
                maxWeight = Math.max(maxWeight, k[i * kernelSize + x]);
            }
            min[i] = xmin;
            size[i] = xsize;
        }
        int precision = torchInt16Weights ? torchPrecision(maxWeight) : PIL_PRECISION_BITS;
        int[] fixed = new int[k.length];
        double one = 1 << precision;
        for (int j = 0; j < k.length; j++) {
            double v = k[j] * one;
            fixed[j] = v < 0 ? (int) (-0.5 + v) : (int) (0.5 + v);
        }
        return new Coefficients(min, size, fixed, kernelSize, precision);
    }

    /** torch: the largest precision (at most 22) for which the biggest weight, doubled, still fits in int16. */
    private static int torchPrecision(double maxWeight) {
        int precision;
        for (precision = 0; precision < 22; precision++) {
            int next = (int) (0.5 + maxWeight * (1 << (precision + 1)));
            if (next >= (1 << 15)) {
                break;
            }
        }
        return precision;
    }

    private static RgbImage horizontal(RgbImage in, Coefficients c) {
        int outW = c.min.length;
        byte[] src = in.rgb;
        byte[] out = new byte[outW * in.height * 3];
        int half = 1 << (c.precision - 1);
        int shift = c.precision;
        int inRow = in.width * 3;
        for (int y = 0; y < in.height; y++) {
            int rowBase = y * inRow;
            int outBase = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int kBase = xx * c.kernelSize;
                int p = rowBase + c.min[xx] * 3;
                for (int x = 0, n = c.size[xx]; x < n; x++, p += 3) {
                    int w = c.weights[kBase + x];
                    s0 += (src[p] & 0xFF) * w;
                    s1 += (src[p + 1] & 0xFF) * w;
                    s2 += (src[p + 2] & 0xFF) * w;
                }
                int o = outBase + xx * 3;
                out[o] = clip8(s0 >> shift);
                out[o + 1] = clip8(s1 >> shift);
                out[o + 2] = clip8(s2 >> shift);
            }
        }
        return new RgbImage(outW, in.height, out);
    }

    private static RgbImage vertical(RgbImage in, Coefficients c) {
        int outH = c.min.length;
        int row = in.width * 3;
        byte[] src = in.rgb;
        byte[] out = new byte[row * outH];
        int[] acc = new int[row];
        int half = 1 << (c.precision - 1);
        int shift = c.precision;
        for (int yy = 0; yy < outH; yy++) {
            java.util.Arrays.fill(acc, half);
            int kBase = yy * c.kernelSize;
            for (int j = 0, n = c.size[yy]; j < n; j++) {
                int w = c.weights[kBase + j];
                int base = (c.min[yy] + j) * row;
                for (int i = 0; i < row; i++) {
                    acc[i] += (src[base + i] & 0xFF) * w;
                }
            }
            int o = yy * row;
            for (int i = 0; i < row; i++) {
                out[o + i] = clip8(acc[i] >> shift);
            }
        }
        return new RgbImage(in.width, outH, out);
    }

    private static byte clip8(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                // Keys cubic with a = -0.5, written as libImaging's bicubic_filter (torch's aa_filter evaluates the
                // same polynomial; with a a power of two both forms round identically)
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }
}
