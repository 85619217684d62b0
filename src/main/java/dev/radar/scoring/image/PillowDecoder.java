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
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image file to what Pillow 11.3 gives the references: {@code Image.open(path)} in Pillow's mode, then
 * either {@code convert("RGB")} (LLaVA, InternVL; alpha dropped) or qwen_vl_utils' {@code to_rgb} (an "RGBA" image
 * pasted over white through its alpha, every other mode {@code convert("RGB")}).
 *
 * <p>PNG samples are lossless, so only Pillow's mode matters, and it follows the IHDR colour type (not the bands
 * ImageIO returns: the JDK turns a tRNS chunk into alpha, Pillow does not): 16-bit RGB/RGBA/gray+alpha keep the high
 * byte (rawmodes "RGB;16B", "RGBA;16B", "LA;16B" - the last one opens as "RGBA"), 16-bit gray opens as "I;16" whose
 * conversion to RGB clips to 255 ({@code I16_RGB}), 1/2/4-bit gray scale to 0..255, palettes are looked up (tRNS
 * ignored by convert("RGB")). BMP and GIF go through ImageIO's image as is (RGB / palette). JPEG samples come from
 * the JDK's libjpeg-6b decoder as a raw raster (its islow IDCT and fancy upsampling are bit-identical to the
 * libjpeg-turbo in Pillow's wheel for the 4:2:0, 4:2:2, 4:4:0, 4:4:4, progressive, CMYK, YCCK and gray files of the
 * golden test); the colour conversion libjpeg does for Pillow (YCbCr -> RGB,
 * YCCK -> CMYK, chosen from the JFIF/Adobe markers and component ids) is redone here with libjpeg's tables, so an
 * embedded ICC profile is ignored as Pillow ignores it. CMYK is inverted as Pillow does ("CMYK;I", Adobe polarity)
 * and converted with Pillow's naive {@code cmyk2rgb}. No EXIF orientation is applied: none of the references calls
 * exif_transpose.
 */
final class PillowDecoder {
    /**
     * Pillow refuses to open images above twice {@code Image.MAX_IMAGE_PIXELS} (89478485) as decompression bombs;
     * the same limit here keeps a hostile file from exhausting the worker's heap.
     */
    static final long MAX_PIXELS = 2L * 89_478_485L;

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
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS) {
                    throw new ImageLoadException(file, "image of " + pixels + " pixels exceeds Pillow's limit of "
                            + MAX_PIXELS + " (decompression bomb)");
                }
                Decoded decoded;
                if (format.equals("jpeg") || format.equals("jpg")) {
                    decoded = fromJpegRaster(file, reader.readRaster(0, null), JpegMarkers.of(reader));
                } else {
                    PngHeader png = format.equals("png") ? PngHeader.of(reader) : null;
                    decoded = fromBufferedImage(file, reader.read(0), png);
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

    /**
     * What libjpeg needs to pick the colour space of a JPEG's components (jdapimin.c default_decompress_parms):
     * JFIF marker, Adobe marker and its transform, component ids.
     */
    record JpegMarkers(boolean jfif, Integer adobeTransform, int[] componentIds) {
        static JpegMarkers of(ImageReader reader) throws IOException {
            javax.imageio.metadata.IIOMetadata metadata = reader.getImageMetadata(0);
            org.w3c.dom.Element root = (org.w3c.dom.Element) metadata.getAsTree("javax_imageio_jpeg_image_1.0");
            boolean jfif = root.getElementsByTagName("app0JFIF").getLength() > 0;
            Integer transform = null;
            org.w3c.dom.NodeList adobe = root.getElementsByTagName("app14Adobe");
            if (adobe.getLength() > 0) {
                transform = Integer.valueOf(((org.w3c.dom.Element) adobe.item(0)).getAttribute("transform"));
            }
            org.w3c.dom.NodeList components = root.getElementsByTagName("componentSpec");
            int[] ids = new int[components.getLength()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Integer.parseInt(((org.w3c.dom.Element) components.item(i)).getAttribute("componentId"));
            }
            return new JpegMarkers(jfif, transform, ids);
        }

        /** 3 components: YCbCr unless an Adobe transform 0 (without JFIF) or ids 'R','G','B' say RGB. */
        boolean threeComponentsAreYcc() {
            if (jfif) {
                return true;
            }
            if (adobeTransform != null) {
                return adobeTransform != 0;
            }
            return !(componentIds.length == 3 && componentIds[0] == 'R' && componentIds[1] == 'G'
                    && componentIds[2] == 'B');
        }

        /** 4 components: YCCK with an Adobe marker whose transform is not 0, plain CMYK otherwise. */
        boolean fourComponentsAreYcck() {
            return adobeTransform != null && adobeTransform != 0;
        }
    }

    // libjpeg's jdcolor.c YCC -> RGB tables (16-bit fixed point), shared bit for bit by libjpeg-turbo
    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        for (int i = 0, x = -128; i < 256; i++, x++) {
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    /**
     * The JDK's readRaster returns libjpeg's upsampled samples in the file's own colour space, before any colour
     * conversion and without the ICC-profile conversion its read() applies (Pillow ignores ICC profiles), so the
     * conversions libjpeg performs for Pillow are done here with libjpeg's own fixed-point tables.
     */
    private static Decoded fromJpegRaster(Path file, Raster raster, JpegMarkers markers) throws ImageLoadException {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        if (bands == 4) {
            return fromCmykRaster(raster, markers.fourComponentsAreYcck());
        }
        if (bands != 1 && bands != 3) {
            throw new ImageLoadException(file, "unsupported JPEG with " + bands + " components");
        }
        int[] px = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
        byte[] rgb = new byte[w * h * 3];
        if (bands == 1) {
            for (int p = 0; p < w * h; p++) {
                rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = (byte) px[p];
            }
        } else if (markers.threeComponentsAreYcc()) {
            // jdcolor.c ycc_rgb_convert
            for (int p = 0; p < w * h; p++) {
                int y = px[p * 3];
                int cb = px[p * 3 + 1];
                int cr = px[p * 3 + 2];
                rgb[p * 3] = (byte) clip8(y + CR_R[cr]);
                rgb[p * 3 + 1] = (byte) clip8(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
                rgb[p * 3 + 2] = (byte) clip8(y + CB_B[cb]);
            }
        } else {
            for (int i = 0; i < rgb.length; i++) {
                rgb[i] = (byte) px[i];
            }
        }
        return new Decoded(new RgbImage(w, h, rgb), null);
    }

    private static Decoded fromCmykRaster(Raster raster, boolean ycck) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] px = raster.getPixels(raster.getMinX(), raster.getMinY(), w, h, (int[]) null);
        if (ycck) {
            // jdcolor.c ycck_cmyk_convert: C, M, Y = 255 - (the RGB of Y, Cb, Cr), range-limited; K unchanged
            for (int p = 0; p < w * h; p++) {
                int y = px[p * 4];
                int cb = px[p * 4 + 1];
                int cr = px[p * 4 + 2];
                px[p * 4] = clip8(255 - (y + CR_R[cr]));
                px[p * 4 + 1] = clip8(255 - (y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS)));
                px[p * 4 + 2] = clip8(255 - (y + CB_B[cb]));
            }
        }
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

    /**
     * A PNG's colour type decides Pillow's mode. The JDK's reader turns a tRNS chunk of an RGB or gray PNG into an
     * alpha channel, which Pillow does not (mode "RGB" / "L" / "I;16", transparency only in {@code info}), so the
     * bands ImageIO returns cannot tell "RGBA" from "RGB with tRNS".
     */
    record PngHeader(String colorType, int bitDepth) {
        static PngHeader of(ImageReader reader) throws IOException {
            org.w3c.dom.Element root = (org.w3c.dom.Element) reader.getImageMetadata(0)
                    .getAsTree("javax_imageio_png_1.0");
            org.w3c.dom.Element ihdr = (org.w3c.dom.Element) root.getElementsByTagName("IHDR").item(0);
            return new PngHeader(ihdr.getAttribute("colorType"), Integer.parseInt(ihdr.getAttribute("bitDepth")));
        }

        /** Colour channels that carry alpha in Pillow's mode: RGBA (8/16 bit) and 16-bit gray+alpha ("LA;16B"). */
        boolean pillowHasAlpha() {
            return colorType.equals("RGBAlpha") || (colorType.equals("GrayAlpha") && bitDepth == 16);
        }

        boolean gray() {
            return colorType.equals("Grayscale") || colorType.equals("GrayAlpha");
        }
    }

    private static Decoded fromBufferedImage(Path file, BufferedImage image, PngHeader png)
            throws ImageLoadException {
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
        if (png != null) {
            return fromPngSamples(file, png, px, bands, w, h);
        }
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

    /** PNG samples (non-palette) in Pillow's mode for the file's colour type and bit depth. */
    private static Decoded fromPngSamples(Path file, PngHeader png, int[] px, int bands, int w, int h)
            throws ImageLoadException {
        int n = w * h;
        byte[] rgb = new byte[n * 3];
        byte[] alpha = png.pillowHasAlpha() ? new byte[n] : null;
        int colourBands = png.gray() ? 1 : 3;
        if (bands < colourBands + (alpha != null ? 1 : 0)) {
            throw new ImageLoadException(file, "PNG of colour type " + png.colorType() + " decoded to " + bands
                    + " channels");
        }
        boolean sixteen = png.bitDepth() == 16;
        int levels = (1 << Math.min(png.bitDepth(), 8)) - 1;
        for (int p = 0; p < n; p++) {
            int base = p * bands;
            if (colourBands == 1) {
                int v = px[base];
                if (sixteen) {
                    // "I;16" (gray) converts to RGB by clipping at 255; "LA;16B" (gray+alpha) keeps the high byte
                    v = png.colorType().equals("Grayscale") ? Math.min(v, 255) : v >> 8;
                } else if (levels != 255) {
                    v = v * 255 / levels;  // "L;1", "L;2", "L;4" unpack to the full 0..255 range
                }
                rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = (byte) v;
            } else {
                int shift = sixteen ? 8 : 0;
                rgb[p * 3] = (byte) (px[base] >> shift);
                rgb[p * 3 + 1] = (byte) (px[base + 1] >> shift);
                rgb[p * 3 + 2] = (byte) (px[base + 2] >> shift);
            }
            if (alpha != null) {
                alpha[p] = (byte) (px[base + colourBands] >> (sixteen ? 8 : 0));
            }
        }
        return new Decoded(new RgbImage(w, h, rgb), alpha);
    }
}
