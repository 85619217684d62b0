package dev.radar.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.RadarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.radar.bench.BenchFixtures.image;
import static dev.radar.bench.BenchFixtures.q;
import static dev.radar.bench.BenchFixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchReaderTest {
    @TempDir
    Path root;

    private BenchSample sample(Benchmark b, String key) {
        return b.samples().stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow(
                () -> new AssertionError(key + " not loaded; problems " + b.problems()));
    }

    @Test
    void readsEverySourceWithItsImageRule() {
        task(root, "general_visual_question_answering", "MMBench_image_style", Map.of("7", q("Style?", "oil", "sketch")));
        image(root, "general_visual_question_answering/images/image_style/7.jpg");
        // MMMU-Pro images are the question's <image k> tags (as the reference loads them), not 1..img_num.
        ObjectNode mmmu = q("Compare <image 2> with <image 1>. Which?", "A", "B");
        mmmu.put("img_num", 2);
        task(root, "multiple_discipline_reasoning", "MMMU-Pro_Art", Map.of("validation_Art_3", mmmu));
        image(root, "multiple_discipline_reasoning/images/Art/validation_Art_3_image_1.png");
        image(root, "multiple_discipline_reasoning/images/Art/validation_Art_3_image_2.png");
        ObjectNode phys = q("Force?", "2 N", "3 N");
        phys.put("img_num", 2);
        task(root, "physical_reasoning", "SeePhys_mechanics", Map.of("55--en", phys));
        image(root, "physical_reasoning/images/55_0.png");
        image(root, "physical_reasoning/images/55_1.png");
        task(root, "mathematical_reasoning", "MathVista", Map.of("12", q("Area?", "4", "5", "6")));
        image(root, "mathematical_reasoning/images/12.jpg");
        task(root, "Wiki_animal_identification", "Wiki_animal_identification",
                Map.of("9--zebra", q("Which animal?", "zebra", "horse")));
        image(root, "Wiki_animal_identification/images/9.jpg");

        Benchmark b = Benchmark.load(root);

        assertEquals(List.of(), b.problems());
        assertEquals(List.of("MMBench_image_style/7", "MMMU-Pro_Art/validation_Art_3", "MathVista/12",
                "SeePhys_mechanics/55--en", "Wiki_animal_identification/9--zebra"), BenchFixtures.keys(b.samples()));
        BenchSample mm = sample(b, "MMBench_image_style/7");
        assertEquals("MMBench", mm.source());
        assertEquals("image_style", mm.category());
        assertEquals(List.of(root.resolve("general_visual_question_answering/images/image_style/7.jpg")), mm.images());
        assertEquals(List.of("oil", "sketch"), mm.candidates());
        assertEquals(List.of(root.resolve("multiple_discipline_reasoning/images/Art/validation_Art_3_image_2.png"),
                        root.resolve("multiple_discipline_reasoning/images/Art/validation_Art_3_image_1.png")),
                sample(b, "MMMU-Pro_Art/validation_Art_3").images());
        assertEquals(root.resolve("physical_reasoning/images/55_1.png"),
                sample(b, "SeePhys_mechanics/55--en").images().get(1));
        BenchSample mv = sample(b, "MathVista/12");
        assertEquals("MathVista", mv.source());
        assertEquals("", mv.category());
        assertEquals(List.of("4", "5", "6"), mv.candidates());
        BenchSample wiki = sample(b, "Wiki_animal_identification/9--zebra");
        assertEquals("Wiki", wiki.source());
        assertEquals(List.of(root.resolve("Wiki_animal_identification/images/9.jpg")), wiki.images());
        assertEquals(Map.of("MMBench_image_style", 1, "MMMU-Pro_Art", 1, "MathVista", 1, "SeePhys_mechanics", 1,
                "Wiki_animal_identification", 1), b.countsByTask());
        assertEquals(root.getFileName().toString(), b.name());
    }

    @Test
    void imageOptionsKeepTheRawRecordAndTheirImagesFollowTheQuestions() {
        ObjectNode v = q("Which graph of <image 1> shows growth?", "<image 3>", "<image 2>", "<image 4>");
        v.put("img_num", 4);
        v.put("ori_options", "['<image 2>', '<image 3>', '<image 4>']");
        task(root, "multiple_discipline_reasoning", "MMMU-Pro_Biology", Map.of("q1", v));
        for (int k = 1; k <= 4; k++) {
            image(root, "multiple_discipline_reasoning/images/Biology/q1_image_" + k + ".png");
        }
        BenchSample s = Benchmark.load(root).samples().get(0);
        // The prompt rules list and letter the options per family (with the reference's random draw); the sample
        // keeps the record as it is: question with tags, answer first, question images then option images.
        assertEquals("Which graph of <image 1> shows growth?", s.question());
        assertEquals(List.of("<image 3>", "<image 2>", "<image 4>"), s.candidates());
        Path dir = root.resolve("multiple_discipline_reasoning/images/Biology");
        assertEquals(List.of(dir.resolve("q1_image_1.png"), dir.resolve("q1_image_3.png"),
                dir.resolve("q1_image_2.png"), dir.resolve("q1_image_4.png")), s.images());
        BenchSample.Reference ref = s.reference();
        assertEquals(1, ref.questionImages());
        assertEquals("['<image 2>', '<image 3>', '<image 4>']", ref.oriOptions());
        assertEquals(List.of("<image 2>", "<image 4>"), ref.distraction());
        assertEquals(0, ref.order());
        // random.seed(0); random.random() = 0.844... > 0.5: answer first, for every family (first draw of both streams)
        assertTrue(ref.answerFirst());
        assertTrue(ref.llavaAnswerFirst());
        assertEquals(-1, ref.llavaDistractor());
    }

    @Test
    void mmmuProDrawsFollowTheWholeSourceInFileNameOrderAndAShardSeesTheSame() {
        // Two files: Art sorts before Biology, so Art's records draw first, whatever the shard.
        ObjectNode text3 = q("Which style?", "Cubism", "Baroque", "Rococo", "Realism");
        text3.put("ori_options", "['Cubism', 'Baroque', 'Rococo', 'Realism']");
        text3.put("img_num", 0);
        Map<String, ObjectNode> art = new LinkedHashMap<>();
        art.put("a2", imageOptions());
        art.put("a1", text3);
        task(root, "multiple_discipline_reasoning", "MMMU_Pro_Art", art);
        Map<String, ObjectNode> bio = new LinkedHashMap<>();
        bio.put("b1", imageOptions());
        bio.put("b2", imageOptions());
        task(root, "multiple_discipline_reasoning", "MMMU_Pro_Biology", bio);
        for (String id : List.of("a2", "b1", "b2")) {
            for (int k = 1; k <= 2; k++) {
                String cat = id.startsWith("a") ? "Art" : "Biology";
                image(root, "multiple_discipline_reasoning/images/" + cat + "/" + id + "_image_" + k + ".png");
            }
        }
        Benchmark b = Benchmark.load(root);
        assertEquals(List.of(), b.problems());
        Map<String, BenchSample.Reference> full = new LinkedHashMap<>();
        b.samples().forEach(s -> full.put(s.key(), s.reference()));
        // File order, then q_id order in the file (a2 before a1), every record counted.
        assertEquals(0, full.get("MMMU_Pro_Art/a2").order());
        assertEquals(1, full.get("MMMU_Pro_Art/a1").order());
        assertEquals(2, full.get("MMMU_Pro_Biology/b1").order());
        assertEquals(3, full.get("MMMU_Pro_Biology/b2").order());
        // CPython: random.seed(0); random.random() -> 0.844, 0.758, 0.421 (Qwen2-VL/InternVL: image options only).
        assertEquals(List.of(true, true, false), List.of(full.get("MMMU_Pro_Art/a2").answerFirst(),
                full.get("MMMU_Pro_Biology/b1").answerFirst(), full.get("MMMU_Pro_Biology/b2").answerFirst()));
        // CPython: random.seed(0); random.random() -> 0.844; random.sample(['Baroque', 'Rococo', 'Realism'], 1)
        // -> ['Rococo']; random.random() -> 0.040, 0.965 (LLaVA's stream, shifted by the sample draw).
        assertEquals(1, full.get("MMMU_Pro_Art/a1").llavaDistractor());
        assertEquals(List.of(true, false, true), List.of(full.get("MMMU_Pro_Art/a2").llavaAnswerFirst(),
                full.get("MMMU_Pro_Biology/b1").llavaAnswerFirst(), full.get("MMMU_Pro_Biology/b2").llavaAnswerFirst()));
        assertEquals(-1, full.get("MMMU_Pro_Biology/b1").llavaDistractor());

        for (int shard = 0; shard < 3; shard++) {
            for (BenchSample s : Benchmark.loadShard(root, b.version(), shard, 3).samples()) {
                assertEquals(full.get(s.key()), s.reference(), "shard " + shard + " " + s.key());
            }
        }
    }

    private static ObjectNode imageOptions() {
        ObjectNode v = q("Pick one.", "<image 1>", "<image 2>");
        v.put("ori_options", "['<image 1>', '<image 2>']");
        return v;
    }

    @Test
    void badQuestionsAreReportedAndSkippedTheRestLoads() throws Exception {
        String f = "Wiki_plant_identification";
        Map<String, ObjectNode> qs = new LinkedHashMap<>();
        qs.put("ok", q("Which plant?", "fern", "moss"));
        qs.put("noimage", q("Which plant?", "fern", "moss"));
        qs.put("repeat", q("Which plant?", "fern", "moss", "fern"));
        qs.put("blankq", q("  ", "fern", "moss"));
        qs.put("single", q("Which plant?", "fern"));
        qs.put("blankc", q("Which plant?", "fern", ""));
        ObjectNode many = q("Which plant?", "fern", "moss");
        many.put("img_num", 13);
        qs.put("many", many);
        task(root, f, "Wiki_plant_identification", qs);
        for (String id : List.of("ok", "repeat", "blankq", "single", "blankc", "many")) {
            image(root, f + "/images/" + id + ".jpg");
        }
        Files.writeString(root.resolve(f).resolve("Wiki_plant_broken_3_pretrained_mllm_eval.json"), "{\"a\": {");

        Benchmark b = Benchmark.load(root);

        assertEquals(List.of("Wiki_plant_identification/ok"), BenchFixtures.keys(b.samples()));
        assertEquals(1, b.skippedTooManyImages());
        Map<String, String> byId = new LinkedHashMap<>();
        b.problems().forEach(p -> byId.merge(p.questionId(), p.message(), (x, y) -> x + "; " + y));
        assertTrue(byId.get("").startsWith("malformed JSON"), byId.toString());
        assertTrue(byId.get("noimage").contains("missing image"), byId.toString());
        assertTrue(byId.get("repeat").contains("repeated among distractors"), byId.toString());
        assertTrue(byId.get("blankq").contains("empty question"), byId.toString());
        assertTrue(byId.get("single").contains("fewer than 2 candidates"), byId.toString());
        assertTrue(byId.get("blankc").contains("empty candidate"), byId.toString());
        assertTrue(byId.get("many").contains("too many images"), byId.toString());
        assertTrue(b.problems().stream().allMatch(p -> p.file().startsWith(f + "/")), b.problems().toString());
    }

    @Test
    void missingRootThrowsNamingIt() {
        Path missing = root.resolve("nope");
        RadarException e = assertThrows(RadarException.class, () -> Benchmark.load(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void ordersByTaskThenNaturalQuestionId() {
        Map<String, ObjectNode> qs = new LinkedHashMap<>();
        for (String id : List.of("10", "2", "1")) {
            qs.put(id, q("Q" + id, "a", "b"));
            image(root, "synthetic/images/" + id + ".jpg");
        }
        task(root, "synthetic", "Synthetic_count", qs);
        task(root, "synthetic", "Synthetic_color", Map.of("10", q("Q", "red", "blue")));
        assertEquals(List.of("Synthetic_color/10", "Synthetic_count/1", "Synthetic_count/2", "Synthetic_count/10"),
                BenchFixtures.keys(Benchmark.load(root).samples()));
    }

    @Test
    void naturalOrderComparesDigitRunsAsNumbers() {
        assertTrue(Names.compareNatural("q2", "q10") < 0);
        assertTrue(Names.compareNatural("q02", "q2") != 0);
        assertEquals(0, Names.compareNatural("a", "a"));
    }
}
