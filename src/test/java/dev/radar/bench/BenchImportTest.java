package dev.radar.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchImportTest {
    @TempDir
    Path dir;

    private static byte[] png() throws Exception {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(1, 1, 0xFFFF0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static byte[] jpeg() {
        return M3BenchWriter.jpeg(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));
    }

    @Test
    void mmbenchTsvBecomesOneTaskPerCategory() throws Exception {
        String jpg = Base64.getEncoder().encodeToString(jpeg());
        String png = Base64.getEncoder().encodeToString(png());
        String tsv = String.join("\n",
                "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\tl2-category",
                "1\tWhat is the mood?\t\thappy\tsad\tangry\t\tA\timage_emotion\t" + jpg + "\tcp",
                "2\t\"Which one,\tsays the \"\"text\"\"?\"\tLook closely.\tcat\tdog\t\t\tB\tocr\t" + png + "\tfp",
                "3\tAnd the mood here?\t\tcalm\ttense\t\t\tB\timage_emotion\t1\tcp",
                "4\tBroken?\t\tx\ty\t\t\tD\tocr\t" + jpg + "\tfp",
                "");
        Path in = dir.resolve("mmbench_dev.tsv");
        Files.writeString(in, tsv);
        Path root = dir.resolve("bench");

        ImportReport r = MMBenchImporter.importTsv(in, root);

        assertEquals(Map.of("MMBench_image_emotion", 2, "MMBench_ocr", 1), r.countsByTask());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertEquals("4", r.problems().get(0).questionId());
        Path folder = root.resolve("general_visual_question_answering");
        assertTrue(Files.isRegularFile(folder.resolve("MMBench_image_emotion_2_pretrained_mllm_eval.json")));
        assertArrayEquals(jpeg(), Files.readAllBytes(folder.resolve("images/image_emotion/1.jpg")));
        assertArrayEquals(jpeg(), Files.readAllBytes(folder.resolve("images/image_emotion/3.jpg")));
        byte[] converted = Files.readAllBytes(folder.resolve("images/ocr/2.jpg"));
        assertEquals(0xFF, converted[0] & 0xFF, "PNG re-encoded as JPEG");

        Benchmark b = Benchmark.load(root);
        assertEquals(List.of(), b.problems());
        BenchSample ocr = b.samples().stream().filter(s -> s.task().equals("MMBench_ocr")).findFirst().orElseThrow();
        assertEquals("Look closely.\nWhich one,\tsays the \"text\"?", ocr.question());
        assertEquals(List.of("dog", "cat"), ocr.candidates());
        assertEquals(List.of("happy", "sad", "angry"), b.samples().get(0).candidates());
        assertEquals("fine_grained_perception", b.taxonomy().abilityOf("MMBench_ocr").fineAbility());

        // Importing again replaces the task files rather than adding second ones.
        MMBenchImporter.importTsv(in, root);
        assertEquals(List.of(), Benchmark.load(root).problems());
    }

    @Test
    void mathVistaKeepsMultipleChoiceItems() throws Exception {
        Path in = dir.resolve("mv/testmini.json");
        Files.createDirectories(in.getParent().resolve("images"));
        Files.write(in.getParent().resolve("images/1.jpg"), jpeg());
        ObjectNode doc = BenchFixtures.JSON.createObjectNode();
        ObjectNode one = doc.putObject("1");
        one.put("pid", "1").put("question", "What is x?").put("image", "images/1.jpg").put("answer", "3");
        one.putArray("choices").add("1").add("3").add("5");
        one.putObject("metadata").put("task", "geometry problem solving").put("category", "math-targeted-vqa");
        ObjectNode two = doc.putObject("2");
        two.put("pid", "2").put("question", "How many?").put("answer", "7").put("question_type", "free_form");
        two.putNull("choices");
        ObjectNode three = doc.putObject("3");
        three.put("pid", "3").put("question", "Which bar is tallest?").put("answer", "blue")
                .put("decoded_image", Base64.getEncoder().encodeToString(png()));
        ArrayNode c3 = three.putArray("choices").add("red").add("blue");
        three.putObject("metadata").put("task", "figure question answering");
        ObjectNode four = doc.putObject("4");
        four.put("pid", "4").put("question", "Q?").put("answer", "9").put("image", "images/1.jpg");
        four.putArray("choices").add("1").add("2");
        BenchFixtures.JSON.writeValue(in.toFile(), doc);
        Path root = dir.resolve("bench");

        ImportReport r = MathVistaImporter.importJson(in, root);

        assertEquals(Map.of("MathVista_geometry_problem_solving", 1, "MathVista_figure_question_answering", 1),
                r.countsByTask());
        assertEquals(1, r.skipped());
        assertEquals(List.of("4"), r.problems().stream().map(BenchProblem::questionId).toList());
        assertEquals(1, c3.size() - 1);
        Benchmark b = Benchmark.load(root);
        assertEquals(List.of(), b.problems());
        BenchSample geo = b.samples().stream().filter(s -> s.id().equals("1")).findFirst().orElseThrow();
        assertEquals(List.of("3", "1", "5"), geo.candidates());
        assertEquals(List.of(root.resolve("mathematical_reasoning/images/1.jpg")), geo.images());
        assertEquals("mathematical_reasoning", b.taxonomy().abilityOf(geo.task()).fineAbility());
    }

    @Test
    void tsvParserHandlesQuotesAndCrlf() {
        assertEquals(List.of(List.of("a", "b\tc", "d\"e"), List.of("1", "", "x\ny")),
                MMBenchImporter.parseTsv("a\t\"b\tc\"\t\"d\"\"e\"\r\n1\t\t\"x\ny\"\r\n"));
    }
}
