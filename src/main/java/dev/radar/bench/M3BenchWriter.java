package dev.radar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.RadarException;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Writes task files and images in the M3-Bench layout; shared by the importers and the synthetic generator. */
final class M3BenchWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final float JPEG_QUALITY = 0.95f;

    /** One question as stored in a task file. */
    record Question(String id, String question, String answer, List<String> distraction, int imgNum) {
    }

    private M3BenchWriter() {
    }

    /**
     * Writes {@code folder/{task}_{N}_pretrained_mllm_eval.json}, after deleting other files of the same task
     * (an earlier import with another N would otherwise make the task appear twice).
     */
    static Path writeTask(Path folder, String task, List<Question> questions) {
        try {
            Files.createDirectories(folder);
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.toList()) {
                    Names.TaskFile tf = Names.parseTaskFile(f.getFileName().toString());
                    if (tf != null && tf.task().equals(task)) {
                        Files.delete(f);
                    }
                }
            }
            ObjectNode doc = JSON.createObjectNode();
            for (Question q : questions) {
                ObjectNode o = doc.putObject(q.id());
                o.put("question", q.question());
                o.put("answer", q.answer());
                q.distraction().forEach(o.putArray("distraction")::add);
                o.put("img_num", q.imgNum());
            }
            Path file = folder.resolve(Names.taskFileName(task, questions.size()));
            JSON.writeValue(file.toFile(), doc);
            return file;
        } catch (IOException e) {
            throw new RadarException("cannot write task " + task + " into " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Baseline JPEG at a fixed quality: the same pixels always give the same bytes. */
    static byte[] jpeg(BufferedImage image) {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(JPEG_QUALITY);
            w.setOutput(out);
            w.write(null, new IIOImage(image, null, null), p);
        } catch (IOException e) {
            throw new RadarException("cannot encode JPEG: " + e.getMessage(), e);
        } finally {
            w.dispose();
        }
        return bytes.toByteArray();
    }

    /** JPEG bytes kept as they are; any other format ImageIO reads is re-encoded (alpha flattened on white). */
    static byte[] asJpeg(byte[] image) throws IOException {
        if (image.length > 2 && (image[0] & 0xFF) == 0xFF && (image[1] & 0xFF) == 0xD8) {
            return image;
        }
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(image));
        if (src == null) {
            throw new IOException("not an image format Java can read");
        }
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, rgb.getWidth(), rgb.getHeight());
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return jpeg(rgb);
    }

    static void writeBytes(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new RadarException("cannot write image " + file + ": " + e.getMessage(), e);
        }
    }
}
