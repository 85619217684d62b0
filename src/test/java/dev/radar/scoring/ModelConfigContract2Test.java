package dev.radar.scoring;

import dev.radar.scoring.djl.ScoringModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** radar-model.json contract 2: parsed per family, every missing or wrong key named with the file. */
class ModelConfigContract2Test {

    static final String QWEN = """
            {"contract": 2, "name": "tiny-qwen", "family": "qwen2-vl", "dtype": "float32", "maxSequenceLength": 4096,
             "supportsPackedMask": true, "hiddenSize": 64, "positionDims": 3, "imageTokenId": 151655,
             "padTokenId": 151643, "promptRules": "qwen2-vl",
             "vision": {"patchSize": 14, "temporalPatchSize": 2, "mergeSize": 2, "minPixels": 200704,
                        "maxPixels": 602112, "mean": [0.48145466, 0.4578275, 0.40821073],
                        "std": [0.26862954, 0.26130258, 0.27577711]},
             "export": {"transformers": "4.57.1"}}
            """;
    static final String INTERN = """
            {"contract": 2, "name": "tiny-intern", "family": "internvl3.5", "dtype": "bfloat16", "maxSequenceLength": 4096,
             "supportsPackedMask": true, "hiddenSize": 32, "positionDims": 1, "imageTokenId": 7, "padTokenId": 0,
             "promptRules": "internvl3.5",
             "vision": {"imageSize": 448, "maxTiles": 3, "thumbnail": true, "tokensPerTile": 256,
                        "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}}
            """;
    static final String LLAVA = """
            {"contract": 2, "name": "tiny-llava", "family": "llava-onevision", "dtype": "float16", "maxSequenceLength": 4096,
             "supportsPackedMask": true, "hiddenSize": 32, "positionDims": 1, "imageTokenId": 7, "padTokenId": 0,
             "promptRules": "llava-onevision",
             "vision": {"imageSize": 384, "tokensPerImage": 729, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
                        "layout": "projector"}}
            """;

    @TempDir
    Path tmp;

    @Test
    void everyFamilyParses() throws IOException {
        ModelConfig q = read(QWEN);
        assertTrue(q.realArchitecture());
        assertEquals(3, q.positionDims());
        assertEquals(2, q.vision().mergeSize());
        assertEquals(151655, q.imageTokenId());
        ModelConfig i = read(INTERN);
        assertEquals(256, i.vision().tokensPerTile());
        assertTrue(i.vision().thumbnail());
        assertEquals("projector", read(LLAVA).vision().layout());
        assertFalse(ModelConfig.read(TinyModel.latestCheckpoint().resolve(ModelConfig.FILE)).realArchitecture(),
                "the tiny package stays contract 1");
    }

    @Test
    void problemsAreNamedWithTheFile() throws IOException {
        assertProblem(QWEN.replace("\"positionDims\": 3", "\"positionDims\": 1"), "positionDims must be 3");
        assertProblem(INTERN.replace("\"positionDims\": 1", "\"positionDims\": 3"), "positionDims must be 1");
        assertProblem(QWEN.replace("\"mergeSize\": 2, ", ""), "vision.mergeSize");
        assertProblem(QWEN.replace("\"minPixels\": 200704", "\"minPixels\": 999999999"), "minPixels must be <=");
        assertProblem(INTERN.replace("\"thumbnail\": true, ", ""), "vision.thumbnail");
        assertProblem(INTERN.replace("\"tokensPerTile\": 256", "\"tokensPerTile\": 0"), "vision.tokensPerTile");
        assertProblem(LLAVA.replace("\"projector\"", "\"other\""), "vision.layout");
        assertProblem(LLAVA.replace("\"tokensPerImage\": 729, ", ""), "vision.tokensPerImage");
        assertProblem(QWEN.replace("\"qwen2-vl\", \"dtype\"", "\"gpt\", \"dtype\""), "family must be one of");
        assertProblem(QWEN.replace("\"hiddenSize\": 64, ", ""), "hiddenSize");
        assertProblem(QWEN.replace("\"imageTokenId\": 151655,", ""), "imageTokenId");
        assertProblem(QWEN.replace("\"promptRules\": \"qwen2-vl\",", ""), "promptRules");
        assertProblem(QWEN.replace("\"contract\": 2", "\"contract\": 3"), "contract must be 1 or 2");
        assertProblem(QWEN.replace("\"std\": [0.26862954, 0.26130258, 0.27577711]", "\"std\": [0, 1, 1]"), "vision.std");
    }

    @Test
    void missingModulesAreNamed() throws IOException {
        Path pkg = Files.createDirectories(tmp.resolve("pkg"));
        Files.writeString(pkg.resolve(ModelConfig.FILE), QWEN);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg.resolve("vision.pt").toString()), e.getMessage());
        Files.write(pkg.resolve("vision.pt"), new byte[]{1});
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg.resolve("language.pt").toString()), e.getMessage());
        Files.write(pkg.resolve("language.pt"), new byte[]{1});
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg.resolve("tokenizer.json").toString()), e.getMessage());
        Files.copy(TinyModel.latestCheckpoint().resolve("tokenizer.json"), pkg.resolve("tokenizer.json"));
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains("vision.pt") || e.getMessage().contains("prompt rules"), e.getMessage());
    }

    private ModelConfig read(String json) throws IOException {
        Path f = Files.createTempFile(tmp, "radar-model", ".json");
        Files.writeString(f, json);
        return ModelConfig.read(f);
    }

    private void assertProblem(String json, String expected) throws IOException {
        Path f = Files.createTempFile(tmp, "radar-model", ".json");
        Files.writeString(f, json);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelConfig.read(f), expected);
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(expected), e.getMessage());
    }
}
