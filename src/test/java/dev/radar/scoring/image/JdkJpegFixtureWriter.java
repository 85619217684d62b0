package dev.radar.scoring.image;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.File;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Writes the two committed fixtures Pillow cannot encode, with the JDK's JPEG writer, into the directory given:
 * {@code ycck.jpg}, a 4-component JPEG with an Adobe marker, transform 2 (YCCK, what Photoshop writes for CMYK), and
 * {@code s440.jpg}, a YCbCr JPEG with 4:4:0 chroma subsampling (luma sampled 1x2). make_image_golden.py computes their
 * reference tensors like any other fixture's. Run once:
 * {@code java -cp target/test-classes dev.radar.scoring.image.JdkJpegFixtureWriter models/golden/images/fixtures}
 */
public final class JdkJpegFixtureWriter {
    private JdkJpegFixtureWriter() {
    }

    public static void main(String[] args) throws Exception {
        writeYcck(new File(args[0], "ycck.jpg"));
        write440(new File(args[0], "s440.jpg"));
    }

    private static void write440(File file) throws Exception {
        int w = 150;
        int h = 110;
        Random noise = new Random(43);
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(w, h,
                java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = clip(x * 255 / w + noise.nextInt(21) - 10);
                int g = clip((y / 8 % 2 == 0) ? 230 : 20);  // horizontal stripes: vertical chroma upsampling shows
                int b = clip((int) (128 + 110 * Math.sin(y / 3.0)));
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        String format = "javax_imageio_jpeg_image_1.0";
        Node root = metadata.getAsTree(format);
        org.w3c.dom.NodeList components = ((Element) root).getElementsByTagName("componentSpec");
        for (int i = 0; i < components.getLength(); i++) {
            ((Element) components.item(i)).setAttribute("HsamplingFactor", "1");
            ((Element) components.item(i)).setAttribute("VsamplingFactor", i == 0 ? "2" : "1");
        }
        metadata.setFromTree(format, root);
        write(file, writer, new IIOImage(image, null, metadata), param);
    }

    private static void write(File file, ImageWriter writer, IIOImage image, ImageWriteParam param)
            throws Exception {
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file)) {
            writer.setOutput(out);
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
    }

    private static void writeYcck(File file) throws Exception {
        int w = 200;
        int h = 150;
        Random noise = new Random(42);
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean block = x > w / 2 && y < h / 3;
                cmyk.setSample(x, y, 0, clip(x * 255 / w + noise.nextInt(11) - 5));
                cmyk.setSample(x, y, 1, clip(y * 255 / h + noise.nextInt(11) - 5));
                cmyk.setSample(x, y, 2, block ? 240 : clip((int) (128 + 100 * Math.sin(x / 9.0 + y / 13.0))));
                cmyk.setSample(x, y, 3, clip((x + y) / 3 + noise.nextInt(7) - 3));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        ImageTypeSpecifier type = ImageTypeSpecifier.createInterleaved(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), new int[] {0, 1, 2, 3},
                DataBuffer.TYPE_BYTE, true, false);
        IIOMetadata metadata = writer.getDefaultImageMetadata(type, param);
        String format = "javax_imageio_jpeg_image_1.0";
        Node root = metadata.getAsTree(format);
        Node markers = ((Element) root).getElementsByTagName("markerSequence").item(0);
        IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
        adobe.setAttribute("version", "100");
        adobe.setAttribute("flags0", "0");
        adobe.setAttribute("flags1", "0");
        adobe.setAttribute("transform", "2");
        markers.insertBefore(adobe, markers.getFirstChild());
        metadata.setFromTree(format, root);
        write(file, writer, new IIOImage(cmyk, null, metadata), param);
    }

    private static int clip(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
