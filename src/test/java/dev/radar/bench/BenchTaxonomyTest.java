package dev.radar.bench;

import dev.radar.RadarException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.radar.bench.BenchFixtures.image;
import static dev.radar.bench.BenchFixtures.q;
import static dev.radar.bench.BenchFixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTaxonomyTest {
    @TempDir
    Path dir;

    private final Taxonomy t = Taxonomy.defaults();

    @Test
    void defaultsCoverMmbenchsTwentyCategories() {
        List<String> perception = List.of("image_style", "image_scene", "image_emotion", "image_quality", "image_topic",
                "object_localization", "attribute_recognition", "celebrity_recognition", "ocr",
                "spatial_relationship", "attribute_comparison", "action_recognition");
        List<String> reasoning = List.of("physical_property_reasoning", "function_reasoning", "identity_reasoning",
                "social_relation", "physical_relation", "nature_relation", "future_prediction",
                "structuralized_imagetext_understanding");
        assertEquals(20, perception.size() + reasoning.size());
        perception.forEach(c -> assertEquals("perception", t.abilityOf("MMBench_" + c).ability(), c));
        reasoning.forEach(c -> assertEquals("reasoning", t.abilityOf("MMBench_" + c).ability(), c));
        assertEquals("coarse_perception", t.abilityOf("MMBench_image_emotion").fineAbility());
        assertEquals("relation_reasoning", t.abilityOf("MMBench_social_relation").fineAbility());
        assertEquals("MMBench", t.abilityOf("MMBench_ocr").source());
    }

    @Test
    void defaultsCoverTheOtherSourcesAndTheSyntheticTasks() {
        assertEquals(new TaskAbility("MathVista", "MathVista", "reasoning", "mathematical_reasoning"), t.abilityOf("MathVista"));
        assertEquals("multidisciplinary_reasoning", t.abilityOf("MMMU-Pro_Art").fineAbility());
        assertEquals("physical_reasoning", t.abilityOf("SeePhys_optics").fineAbility());
        for (String w : List.of("animal", "plant", "celebrity", "attraction")) {
            TaskAbility a = t.abilityOf("Wiki_" + w + "_identification");
            assertEquals(List.of("perception", "identification"), List.of(a.ability(), a.fineAbility()));
        }
        Map<String, String> fine = Map.of("color", "fine_grained_perception", "shape", "fine_grained_perception",
                "count", "counting", "position", "coarse_perception", "arithmetic", "mathematical_reasoning",
                "comparison", "logical_reasoning", "spatial", "spatial_reasoning", "pattern", "logical_reasoning");
        for (String task : SyntheticBenchmark.tasks()) {
            TaskAbility a = t.abilityOf("Synthetic_" + task);
            assertEquals(fine.get(task), a.fineAbility(), task);
            assertEquals(SyntheticBenchmark.PERCEPTION_TASKS.contains(task) ? "perception" : "reasoning", a.ability());
        }
        assertFalse(t.version().isBlank());
    }

    @Test
    void unknownTaskNamesTheFileToEdit() {
        RadarException e = assertThrows(RadarException.class, () -> t.abilityOf("ChartQA_bars"));
        assertTrue(e.getMessage().contains("ChartQA_bars"), e.getMessage());
        assertTrue(e.getMessage().contains("src/main/resources/bench/taxonomy.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("taxonomy.yaml"), e.getMessage());
        assertThrows(RadarException.class, () -> t.abilityOf("MMBench_not_a_category"));
    }

    @Test
    void exactTaskBeatsSourceAndCategoryBeatsSourceDefault() throws Exception {
        Path f = dir.resolve("tax.yaml");
        Files.writeString(f, """
                version: "test-1"
                tasks:
                  Foo_special: {ability: perception, fine: ocr}
                sources:
                  Foo:
                    ability: reasoning
                    fine: foo_reasoning
                    categories:
                      seeing: {ability: perception, fine: foo_seeing}
                  Foo_x: {ability: perception, fine: longest_prefix}
                """);
        Taxonomy c = Taxonomy.load(f);
        assertEquals("test-1", c.version());
        assertEquals("ocr", c.abilityOf("Foo_special").fineAbility());
        assertEquals("foo_seeing", c.abilityOf("Foo_seeing").fineAbility());
        assertEquals("foo_reasoning", c.abilityOf("Foo_other").fineAbility());
        assertEquals("longest_prefix", c.abilityOf("Foo_x_y").fineAbility());
        RadarException e = assertThrows(RadarException.class, () -> c.abilityOf("Bar"));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().normalize().toString()), e.getMessage());
    }

    @Test
    void invalidAbilityIsRejectedWithTheFile() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "tasks:\n  X_y: {ability: seeing, fine: z}\n");
        RadarException e = assertThrows(RadarException.class, () -> Taxonomy.load(f));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("perception or reasoning"), e.getMessage());
    }

    @Test
    void benchmarkUsesRootTaxonomyAndFolderRulesAndFailsOnUnknownTasks() throws Exception {
        Path root = dir.resolve("bench");
        task(root, "spatial_reasoning", "WhatsUp_left", Map.of("1", q("Where?", "left", "right")));
        image(root, "spatial_reasoning/images/1.jpg");
        Benchmark b = Benchmark.load(root);
        assertEquals("spatial_reasoning", b.taxonomy().abilityOf("WhatsUp_left").fineAbility());

        task(root, "odd_folder", "Odd_task", Map.of("1", q("Q?", "a", "b")));
        image(root, "odd_folder/images/1.jpg");
        RadarException e = assertThrows(RadarException.class, () -> Benchmark.load(root));
        assertTrue(e.getMessage().contains("Odd_task"), e.getMessage());

        Files.writeString(root.resolve("taxonomy.yaml"), """
                version: "mine"
                sources:
                  Odd: {ability: perception, fine: oddness}
                  WhatsUp: {ability: reasoning, fine: spatial_reasoning}
                """);
        Benchmark withOwn = Benchmark.load(root);
        assertEquals("mine", withOwn.taxonomy().version());
        assertEquals("oddness", withOwn.taxonomy().abilityOf("Odd_task").fineAbility());
    }
}
