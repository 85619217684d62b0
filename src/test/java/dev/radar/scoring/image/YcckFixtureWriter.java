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
 * Writes the committed fixture models/golden/images/fixtures/ycck.jpg: a 4-component JPEG with an Adobe marker,
 * transform 2 (YCCK, what Photoshop writes for CMYK). Pillow cannot encode YCCK, so this one fixture comes from the
 * JDK's JPEG writer; make_image_golden.py computes its reference tensors like any other fixture. Run once:
 * {@code java -cp target/test-classes dev.radar.scoring.image.YcckFixtureWriter models/golden/images/fixtures/ycck.jpg}
 */
public final class YcckFixtureWriter {
    private YcckFixtureWriter() {
    }

    public static void main(String[] args) throws Exception {
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
        try (ImageOutputStream out = ImageIO.createImageOutputStream(new File(args[0]))) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(cmyk, null, metadata), param);
        } finally {
            writer.dispose();
        }
    }

    private static int clip(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
