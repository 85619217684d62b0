package dev.radar.scoring.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad image is an {@link ImageLoadException} naming the file and the reason, for every family, never a crash. */
class ImageLoadFailureTest {
    static final Map<String, ImageProcessor> PROCESSORS = ImageProcessorsGoldenTest.PROCESSORS;

    @TempDir
    Path dir;

    @Test
    void truncatedPng() throws Exception {
        byte[] png = Files.readAllBytes(ImageProcessorsGoldenTest.FIXTURES.resolve("tall.png"));
        assertFailsEverywhere(write("truncated.png", Arrays.copyOf(png, png.length / 2)), "");
    }

    @Test
    void truncatedJpeg() throws Exception {
        // the JDK decoder only warns and pads with grey here; Pillow raises "image file is truncated"
        byte[] jpg = Files.readAllBytes(ImageProcessorsGoldenTest.FIXTURES.resolve("rgb.jpg"));
        assertFailsEverywhere(write("truncated.jpg", Arrays.copyOf(jpg, jpg.length * 6 / 10)), "");
    }

    @Test
    void notAnImage() throws Exception {
        assertFailsEverywhere(write("notes.png", "this is a text file, not a picture\n".getBytes()),
                "not a recognised image format");
    }

    @Test
    void pngSignatureWithGarbage() throws Exception {
        byte[] bytes = new byte[4096];
        new java.util.Random(7).nextBytes(bytes);
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, bytes, 0, 8);
        assertFailsEverywhere(write("garbage.png", bytes), "");
    }

    @Test
    void decompressionBombIsRefusedBeforeDecoding() throws Exception {
        // a PNG header announcing 20000 x 20000 pixels (above Pillow's 2 * MAX_IMAGE_PIXELS) and no data
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(20000).putInt(20000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IEND", new byte[0]);
        assertFailsEverywhere(write("bomb.png", png.toByteArray()), "decompression bomb");
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.write(data);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void emptyFile() throws Exception {
        assertFailsEverywhere(write("empty.jpg", new byte[0]), "empty file");
    }

    @Test
    void missingFileAndDirectory() throws Exception {
        assertFailsEverywhere(dir.resolve("absent.png"), "no such file");
        assertFailsEverywhere(dir, "no such file");
    }

    @Test
    void sizesTheReferencesReject() throws Exception {
        // 400x1: Qwen2-VL's smart_resize refuses aspect ratios above 200, and LLaVA's SigLIP preprocessing takes a
        // 1-pixel-high HWC array for a 1-channel CHW one and fails; InternVL accepts it (3x1 grid + thumbnail)
        BufferedImage line = new BufferedImage(400, 1, BufferedImage.TYPE_INT_RGB);
        Path file = dir.resolve("line.png");
        ImageIO.write(line, "png", file.toFile());
        ImageLoadException qwen = assertThrows(ImageLoadException.class, () -> PROCESSORS.get("qwen2-vl").process(file));
        assertTrue(qwen.getMessage().contains("aspect ratio"), qwen.getMessage());
        ImageLoadException llava = assertThrows(ImageLoadException.class,
                () -> PROCESSORS.get("llava-onevision").process(file));
        assertTrue(llava.getMessage().contains("1 pixel high"), llava.getMessage());
        assertEquals(4, PROCESSORS.get("internvl3.5").process(file).tiles());
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static void assertFailsEverywhere(Path file, String reasonPart) {
        for (Map.Entry<String, ImageProcessor> e : PROCESSORS.entrySet()) {
            ImageLoadException ex = assertThrows(ImageLoadException.class, () -> e.getValue().process(file),
                    e.getKey() + " on " + file);
            assertEquals(file, ex.file());
            assertTrue(ex.getMessage().contains(file.toString()), "message names the file: " + ex.getMessage());
            assertTrue(ex.reason().contains(reasonPart), e.getKey() + ": reason '" + ex.reason() + "'");
            assertTrue(!ex.reason().isBlank());
        }
    }
}
