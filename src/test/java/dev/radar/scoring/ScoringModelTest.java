package dev.radar.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.scoring.djl.ScoringModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading a scoring package: tokenizer parity with Python, and typed errors naming the file. */
class ScoringModelTest {

    @TempDir
    Path tmp;

    @Test
    void tokenizerGivesTheSameIdsAsThePythonSide() throws IOException {
        JsonNode checks = new ObjectMapper().readTree(TinyModel.ROOT.resolve("tokenizer-check.json").toFile());
        try (ScoringModel m = ScoringModel.load(TinyModel.latestCheckpoint(), ScoringConfig.defaults())) {
            for (JsonNode c : checks) {
                int[] expected = new int[c.get("ids").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = c.get("ids").get(i).asInt();
                }
                assertArrayEquals(expected, m.encode(c.get("text").asText()), c.get("text").asText());
            }
            // No truncation: a long question keeps every character.
            assertEquals(5000, m.encode("x".repeat(5000)).length);
            assertEquals(4, m.imageTokenId());
            assertEquals(256, m.config().tokensPerImage());
            assertTrue(m.config().supportsPackedMask());
        }
    }

    @Test
    void loadingIsThreadSafe() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> {
                    try (ScoringModel m = ScoringModel.load(TinyModel.latestCheckpoint(), ScoringConfig.defaults())) {
                        return m.imageTokenId();
                    }
                }));
            }
            for (var f : futures) {
                assertEquals(4, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void everyCheckpointIsASelfContainedPackage() throws IOException {
        try (var dirs = Files.list(TinyModel.ROOT.resolve("checkpoints"))) {
            long n = dirs.filter(d -> Files.isRegularFile(d.resolve("model.pt"))
                    && Files.isRegularFile(d.resolve("tokenizer.json"))
                    && Files.isRegularFile(d.resolve("radar-model.json"))).count();
            assertTrue(n >= 5, n + " checkpoints");
        }
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path pkg = copyPackage();
        Files.delete(pkg.resolve("radar-model.json"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains("radar-model.json") && e.getMessage().contains(pkg.toString()), e.getMessage());

        Path pkg2 = copyPackage();
        Files.delete(pkg2.resolve("model.pt"));
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg2, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg2.resolve("model.pt").toString()), e.getMessage());

        Path pkg3 = copyPackage();
        Files.delete(pkg3.resolve("tokenizer.json"));
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg3, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg3.resolve("tokenizer.json").toString()), e.getMessage());

        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(tmp.resolve("nope"), ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains("nope"));
    }

    @Test
    void corruptModelIsNamed() throws IOException {
        Path pkg = copyPackage();
        byte[] bytes = Files.readAllBytes(pkg.resolve("model.pt"));
        Files.write(pkg.resolve("model.pt"), Arrays.copyOf(bytes, bytes.length / 3));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(pkg.resolve("model.pt").toString()), e.getMessage());
    }

    @Test
    void tokenizerWithoutThePlaceholderIsRejected() throws IOException {
        Path pkg = copyPackage();
        Path tok = pkg.resolve("tokenizer.json");
        Files.writeString(tok, Files.readString(tok).replace("<image>", "<picture>"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(tok.toString()) && e.getMessage().contains("<image>"), e.getMessage());
    }

    @Test
    void invalidConfigAndDtypeMismatchAreNamed() throws IOException {
        Path pkg = copyPackage();
        Path cfg = pkg.resolve("radar-model.json");
        String good = Files.readString(cfg);
        Files.writeString(cfg, good.replace("\"tokensPerImage\": 256", "\"tokensPerImage\": 0"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(cfg.toString()) && e.getMessage().contains("tokensPerImage"), e.getMessage());
        Files.writeString(cfg, "{ not json");
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg, ScoringConfig.defaults()));
        assertTrue(e.getMessage().contains(cfg.toString()), e.getMessage());
        Files.writeString(cfg, good);
        e = assertThrows(ModelLoadException.class, () -> ScoringModel.load(pkg,
                new ScoringConfig("cpu", "bfloat16", ScoringConfig.Strategy.PACKED, 1024, 4, 1)));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("bfloat16"), e.getMessage());
    }

    @Test
    void promptRulesVersionNamesTheTemplate() throws IOException {
        Path pkg = copyPackage();
        String before;
        try (ScoringModel m = ScoringModel.load(pkg, ScoringConfig.defaults())) {
            before = m.promptRulesVersion();
        }
        assertTrue(before.matches("tiny/template-[0-9a-f]{8}"), before);
        Path cfg = pkg.resolve("radar-model.json");
        Files.writeString(cfg, Files.readString(cfg).replaceFirst("Question: \\{question}", "Q: {question}"));
        try (ScoringModel m = ScoringModel.load(pkg, ScoringConfig.defaults())) {
            assertTrue(!before.equals(m.promptRulesVersion()), "a changed template changes the version");
        }
    }

    private Path copyPackage() throws IOException {
        Path dst = Files.createTempDirectory(tmp, "pkg");
        Path src = TinyModel.latestCheckpoint();
        for (String f : new String[]{"model.pt", "tokenizer.json", "radar-model.json"}) {
            Files.copy(src.resolve(f), dst.resolve(f));
        }
        return dst;
    }
}
