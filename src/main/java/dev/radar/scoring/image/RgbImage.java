package dev.radar.scoring.image;

/**
 * An 8-bit RGB image, the equivalent of a Pillow image in mode "RGB": {@code rgb} holds width*height*3 bytes,
 * row-major, channels interleaved. Every resampling step of the references works on such 8-bit images (they
 * round and clip to uint8 after each pass), so the Java pipeline keeps the same representation.
 */
final class RgbImage {
    final int width;
    final int height;
    final byte[] rgb;

    RgbImage(int width, int height, byte[] rgb) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** Sample of channel {@code c} at column {@code x}, row {@code y}, as 0..255. */
    int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Pillow's {@code Image.crop(box)} for a box inside the image. */
    RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
        byte[] out = new byte[cropWidth * cropHeight * 3];
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }
}
