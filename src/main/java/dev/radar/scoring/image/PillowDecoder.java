package dev.radar.scoring.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file to what Pillow 11.3 gives the references: {@code Image.open(path)} in Pillow's mode, then
 * either {@code convert("RGB")} (LLaVA, InternVL; alpha dropped) or qwen_vl_utils' {@code to_rgb} (an "RGBA" image
 * pasted over white through its alpha, every other mode {@code convert("RGB")}).
 *
 * <p>PNG samples are lossless, so only Pillow's mode mapping matters: 16-bit RGB/RGBA/gray+alpha keep the high byte
 * (rawmodes "RGB;16B", "RGBA;16B", "LA;16B" - the last one opens as "RGBA"), 16-bit gray opens as "I;16" whose
 * conversion to RGB clips to 255 ({@code I16_RGB}), 1/2/4-bit gray scale to 0..255, palettes are looked up (tRNS
 * ignored by convert("RGB")). JPEG goes through the JDK's libjpeg-6b decoder, whose islow IDCT, fancy upsampling
 * and YCbCr conversion are bit-identical to the libjpeg-turbo in Pillow's wheel for the 4:2:0, 4:4:4 and gray
 * files of the golden test. CMYK JPEGs (which ImageIO will not turn into a BufferedImage) are read as a raw raster,
 * inverted as Pillow does ("CMYK;I", Adobe polarity) and converted with Pillow's naive {@code cmyk2rgb}. No EXIF
 * orientation is applied: none of the references calls exif_transpose.
 */
final class PillowDecoder {
    private PillowDecoder() {
    }

    /** The decoded image: Pillow's convert("RGB") pixels, plus the alpha plane when Pillow's mode is "RGBA". */
    record Decoded(RgbImage rgb, byte[] rgbaAlpha) {
        /** {@code Image.convert("RGB")}: alpha, if any, is dropped. */
        RgbImage convertRgb() {
            return rgb;
        }

        /**
         * qwen_vl_utils {@code to_rgb}: for mode "RGBA", {@code Image.new("RGB", size, white).paste(im, mask=alpha)},
         * i.e. Pillow's {@code paste_mask_L} blend {@code DIV255(out*(255-a) + in*a)} with out = 255.
         */
        RgbImage qwenToRgb() {
            if (rgbaAlpha == null) {
                return rgb;
            }
            byte[] out = new byte[rgb.rgb.length];
            for (int p = 0; p < rgbaAlpha.length; p++) {
                int a = rgbaAlpha[p] & 0xFF;
                for (int c = 0; c < 3; c++) {
                    int in = rgb.rgb[p * 3 + c] & 0xFF;
                    out[p * 3 + c] = (byte) div255(255 * (255 - a) + in * a);
                }
            }
            return new RgbImage(rgb.width, rgb.height, out);
        }
    }

    /** Pillow's DIV255 macro: (t + (t >> 8)) >> 8 with t = a + 128, exact rounding of a / 255 for 0..65025. */
    static int div255(int a) {
        int t = a + 128;
        return ((t >> 8) + t) >> 8;
    }

    static Decoded decode(Path file) throws ImageLoadException {
        if (!Files.isRegularFile(file)) {
            throw new ImageLoadException(file, "no such file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new ImageLoadException(file, "empty file");
            }
        } catch (IOException e) {
            throw new ImageLoadException(file, "cannot read: " + e.getMessage(), e);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ImageLoadException(file, "cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageLoadException(file, "not a recognised image format");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                // The JDK's JPEG reader only warns on a truncated or corrupt stream and fills the rest with grey;
                // Pillow raises ("image file is truncated"), so any warning fails the image.
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                Decoded decoded;
                if ((format.equals("jpeg") || format.equals("jpg")) && isFourChannelJpeg(reader)) {
                    decoded = fromCmykRaster(file, reader.readRaster(0, null));
                } else {
                    decoded = fromBufferedImage(file, reader.read(0));
                }
                if (!warnings.isEmpty()) {
                    throw new ImageLoadException(file, "corrupt or truncated image data: " + warnings.get(0));
                }
                if (decoded.rgb.width <= 0 || decoded.rgb.height <= 0) {
                    throw new ImageLoadException(file, "image has no pixels");
                }
                return decoded;
            } finally {
                reader.dispose();
            }
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // ImageIO reports broken streams as IIOException, EOFException, or runtime exceptions from deep inside
            // the decoders (ArrayIndexOutOfBounds, IllegalArgument, NegativeArraySize): all of them mean "bad image"
            throw new ImageLoadException(file, "cannot decode: " + e, e);
        }
    }

    private static boolean isFourChannelJpeg(ImageReader reader) throws IOException {
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        return raw == null || raw.getNumBands() == 4;
    }

    private static Decoded fromCmykRaster(Path file, Raster raster) throws ImageLoadException {
        if (raster.getNumBands() != 4) {
            throw new ImageLoadException(file, "unsupported JPEG colour layout with " + raster.getNumBands()
                    + " components");
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] px = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
        byte[] rgb = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++) {
            // the file stores Adobe-inverted CMYK; Pillow decodes with rawmode "CMYK;I", i.e. 255 - stored value
            int c = 255 - px[p * 4];
            int m = 255 - px[p * 4 + 1];
            int y = 255 - px[p * 4 + 2];
            int k = 255 - px[p * 4 + 3];
            int nk = 255 - k;
            rgb[p * 3] = (byte) clip8(nk - mulDiv255(c, nk));
            rgb[p * 3 + 1] = (byte) clip8(nk - mulDiv255(m, nk));
            rgb[p * 3 + 2] = (byte) clip8(nk - mulDiv255(y, nk));
        }
        return new Decoded(new RgbImage(w, h, rgb), null);
    }

    private static int mulDiv255(int a, int b) {
        return div255(a * b);
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static Decoded fromBufferedImage(Path file, BufferedImage image) throws ImageLoadException {
        if (image == null) {
            throw new ImageLoadException(file, "decoder returned no image");
        }
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        byte[] rgb = new byte[n * 3];
        if (image.getColorModel() instanceof IndexColorModel palette) {
            // Pillow mode "P" (and 1/2/4-bit gray, whose ImageIO palette is the same 0..255 ramp Pillow unpacks to)
            int size = palette.getMapSize();
            byte[] r = new byte[size];
            byte[] g = new byte[size];
            byte[] b = new byte[size];
            palette.getReds(r);
            palette.getGreens(g);
            palette.getBlues(b);
            int[] idx = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int p = 0; p < n; p++) {
                int i = idx[p];
                if (i >= size) {
                    throw new ImageLoadException(file, "palette index " + i + " outside a palette of " + size);
                }
                rgb[p * 3] = r[i];
                rgb[p * 3 + 1] = g[i];
                rgb[p * 3 + 2] = b[i];
            }
            return new Decoded(new RgbImage(w, h, rgb), null);
        }
        int bands = raster.getNumBands();
        boolean sixteenBit = raster.getTransferType() == DataBuffer.TYPE_USHORT;
        if (!sixteenBit && raster.getTransferType() != DataBuffer.TYPE_BYTE) {
            throw new ImageLoadException(file, "unsupported sample type " + raster.getTransferType());
        }
        int[] px = raster.getPixels(0, 0, w, h, (int[]) null);
        byte[] alpha = null;
        switch (bands) {
            case 1 -> {
                for (int p = 0; p < n; p++) {
                    // 8-bit: mode "L". 16-bit: mode "I;16", whose I16_RGB conversion clips to 255 (not a rescale)
                    int v = sixteenBit ? Math.min(px[p], 255) : px[p];
                    rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = (byte) v;
                }
            }
            case 2 -> {
                // 8-bit: mode "LA" (convert drops alpha). 16-bit: rawmode "LA;16B" opens as "RGBA" (high bytes)
                if (sixteenBit) {
                    alpha = new byte[n];
                }
                for (int p = 0; p < n; p++) {
                    int v = sixteenBit ? px[p * 2] >> 8 : px[p * 2];
                    rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = (byte) v;
                    if (alpha != null) {
                        alpha[p] = (byte) (px[p * 2 + 1] >> 8);
                    }
                }
            }
            case 3, 4 -> {
                int shift = sixteenBit ? 8 : 0;
                if (bands == 4) {
                    alpha = new byte[n];
                }
                for (int p = 0; p < n; p++) {
                    rgb[p * 3] = (byte) (px[p * bands] >> shift);
                    rgb[p * 3 + 1] = (byte) (px[p * bands + 1] >> shift);
                    rgb[p * 3 + 2] = (byte) (px[p * bands + 2] >> shift);
                    if (alpha != null) {
                        alpha[p] = (byte) (px[p * bands + 3] >> shift);
                    }
                }
            }
            default -> throw new ImageLoadException(file, "unsupported image with " + bands + " channels");
        }
        return new Decoded(new RgbImage(w, h, rgb), alpha);
    }
}
