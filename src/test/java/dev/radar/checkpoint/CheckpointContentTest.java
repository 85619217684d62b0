package dev.radar.checkpoint;

import dev.radar.events.CheckpointSaved;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a checkpoint folder is and whether it can be scored, decided before planning: raw Hugging Face folders
 * (single and sharded safetensors) matched to architecture packages, and each reason a folder is refused.
 */
class CheckpointContentTest {

    @TempDir
    Path tmp;
    Path root;
    Path architectures;

    private static final String QWEN_CONFIG = "{\"model_type\": \"qwen2_vl\", \"hidden_size\": 8, \"rope_theta\": 1000000.0,"
            + " \"transformers_version\": \"4.57.1\", \"vision_config\": {\"depth\": 2, \"torch_dtype\": \"float32\"}}";

    @BeforeEach
    void folders() throws IOException {
        root = Files.createDirectories(tmp.resolve("checkpoints"));
        architectures = Files.createDirectories(tmp.resolve("architectures"));
        // Traced from a checkpoint saved by another transformers version in bfloat16: ignored keys differ.
        architecturePackage("qwen2vl-tiny", "{\"model_type\": \"qwen2_vl\", \"hidden_size\": 8, \"rope_theta\": 1000000,"
                + " \"vision_config\": {\"depth\": 2}}");
    }

    private void architecturePackage(String name, String config) throws IOException {
        Path pkg = Files.createDirectories(architectures.resolve(name));
        Files.writeString(pkg.resolve("radar-model.json"), "{\"contract\": 2, \"architecture\": {\"modelType\": "
                + "\"qwen2_vl\", \"ignoredKeys\": [\"torch_dtype\", \"transformers_version\"], \"config\": " + config
                + "}, \"weights\": {}}");
    }

    private Path hfFolder(String name, String config) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    /** Two shards and the index, as save_pretrained(max_shard_size=...) writes them. */
    private Path sharded(String name) throws IOException {
        Path dir = hfFolder(name, QWEN_CONFIG);
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("model.embed_tokens.weight", Safetensors.Tensor.f32(new long[]{2, 2}, 1, 2, 3, 4)));
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("model.norm.weight", Safetensors.Tensor.f32(new long[]{2}, 5, 6)));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {\"total_size\": 24}, "
                + "\"weight_map\": {\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\", "
                + "\"model.norm.weight\": \"model-00002-of-00002.safetensors\"}}");
        return dir;
    }

    private ArchitecturePackages packages() {
        return new ArchitecturePackages(Optional.of(architectures));
    }

    private String reason(Path dir) {
        return assertThrows(CheckpointException.class, () -> CheckpointValidator.inspect(dir, packages())).reason();
    }

    private CheckpointException failure(Path dir) {
        return assertThrows(CheckpointException.class, () -> CheckpointValidator.inspect(dir, packages()));
    }

    @Test
    void shardedHfFolderIsMatchedToItsArchitecturePackageIgnoringVersionAndDtypeKeys() throws IOException {
        Path dir = sharded("step-100");
        var raw = assertInstanceOf(CheckpointContent.RawCheckpoint.class, CheckpointValidator.inspect(dir, packages()));
        assertEquals("qwen2-vl", raw.family());
        assertEquals(architectures.resolve("qwen2vl-tiny"), raw.architecture().dir());
        assertEquals(List.of("model.embed_tokens.weight", "model.norm.weight"), List.copyOf(raw.checkpoint().tensors().keySet()));
        assertEquals(dir.resolve("model-00002-of-00002.safetensors"),
                raw.checkpoint().tensors().get("model.norm.weight").file());
        var norm = raw.checkpoint().tensors().get("model.norm.weight").map("model.norm.weight");
        assertEquals(6f, norm.getFloat(4));
    }

    @Test
    void singleFileHfFolderIsMatchedToo() throws IOException {
        Path dir = hfFolder("single", QWEN_CONFIG);
        Safetensors.write(dir.resolve("model.safetensors"), Map.of("w", Safetensors.Tensor.f32(new long[]{1}, 7)));
        var raw = assertInstanceOf(CheckpointContent.RawCheckpoint.class, CheckpointValidator.inspect(dir, packages()));
        assertEquals(List.of("w"), List.copyOf(raw.checkpoint().tensors().keySet()));
    }

    @Test
    void unsupportedModelTypeIsRefused() throws IOException {
        Path dir = hfFolder("llama", "{\"model_type\": \"llama\"}");
        CheckpointException e = failure(dir);
        assertEquals(CheckpointValidator.UNSUPPORTED_ARCHITECTURE, e.reason());
        assertTrue(e.getMessage().contains("'llama'"), e.getMessage());
    }

    @Test
    void aMissingShardMakesTheFolderIncomplete() throws IOException {
        Path dir = sharded("half-written");
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        CheckpointException e = failure(dir);
        assertEquals(CheckpointValidator.INCOMPLETE_CHECKPOINT, e.reason());
        assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    @Test
    void aTruncatedShardOrHeaderMakesTheFolderIncomplete() throws IOException {
        Path dir = sharded("truncated-data");
        Path shard = dir.resolve("model-00001-of-00002.safetensors");
        long size = Files.size(shard);
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.setLength(size - 3);
        }
        assertTrue(failure(dir).getMessage().contains("truncated"));
        assertEquals(CheckpointValidator.INCOMPLETE_CHECKPOINT, reason(dir));
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.setLength(20);                           // inside the JSON header
        }
        assertEquals(CheckpointValidator.INCOMPLETE_CHECKPOINT, reason(dir));
    }

    @Test
    void configWithoutWeightsIsIncompleteAndNoConfigIsNotACheckpoint() throws IOException {
        assertEquals(CheckpointValidator.INCOMPLETE_CHECKPOINT, reason(hfFolder("config-only", QWEN_CONFIG)));
        Path plain = Files.createDirectories(root.resolve("plain"));
        Files.writeString(plain.resolve("notes.txt"), "hello");
        assertEquals(CheckpointValidator.NOT_A_CHECKPOINT, reason(plain));
        Path badConfig = hfFolder("bad-config", "{\"model_type\": ");
        assertEquals(CheckpointValidator.INCOMPLETE_CHECKPOINT, reason(badConfig));
    }

    @Test
    void noMatchingArchitecturePackageNamesTheDifferenceAndTheOneTimeCommand() throws IOException {
        Path dir = sharded("wider");
        Files.writeString(dir.resolve("config.json"), QWEN_CONFIG.replace("\"hidden_size\": 8", "\"hidden_size\": 16"));
        CheckpointException e = failure(dir);
        assertEquals(CheckpointValidator.NO_ARCHITECTURE_PACKAGE, e.reason());
        assertTrue(e.getMessage().contains("hidden_size (16 vs 8)"), e.getMessage());
        assertTrue(e.getMessage().contains("python models/export_hf.py --architecture --family qwen2-vl --checkpoint "
                + dir), e.getMessage());
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> CheckpointValidator.inspect(sharded("unconfigured"), ArchitecturePackages.none()));
        assertEquals(CheckpointValidator.NO_ARCHITECTURE_PACKAGE, none.reason());
        assertTrue(none.getMessage().contains("scoring.architectures (not set)"), none.getMessage());
    }

    @Test
    void scoringPackagesNeedTheFilesOfTheirContract() throws IOException {
        Path pkg = TestCheckpoints.scoringPackageStub(root.resolve("pkg"));
        assertInstanceOf(CheckpointContent.ScoringPackage.class, CheckpointValidator.inspect(pkg, packages()));
        Files.writeString(pkg.resolve("radar-model.json"), "{\"contract\": 2}");
        CheckpointException e = failure(pkg);
        assertEquals(CheckpointValidator.INVALID_SCORING_PACKAGE, e.reason());
        assertTrue(e.getMessage().contains("vision.pt"), e.getMessage());
        Files.writeString(pkg.resolve("radar-model.json"), "{not json");
        assertEquals(CheckpointValidator.INVALID_SCORING_PACKAGE, reason(pkg));
    }

    @Test
    void theValidatorRejectsBeforePlanningWithTheContentReason() throws IOException {
        Path dir = sharded("step-5");
        Files.delete(dir.resolve("model-00001-of-00002.safetensors"));
        CheckpointValidator validator = CheckpointValidator.withContent(List.of(root), packages());
        CheckpointSaved event = CheckpointSaved.newBuilder().setRunId("run-1").setStep(5)
                .setCheckpointUri(dir.toUri().toString()).build();
        assertEquals(Optional.of(CheckpointValidator.INCOMPLETE_CHECKPOINT),
                validator.check(event).map(CheckpointValidator.Rejection::reason));
        Path good = sharded("step-6");
        assertEquals(Optional.empty(), validator.check(CheckpointSaved.newBuilder(event)
                .setCheckpointUri(good.toString()).build()));
    }

    @Test
    void aSymlinkInsideTheRootToOutsideIsRejectedOnItsRealPath() throws IOException {
        Path outside = TestCheckpoints.scoringPackageStub(tmp.resolve("elsewhere/pkg"));
        Path link = Files.createSymbolicLink(root.resolve("innocent"), outside);
        Path inside = TestCheckpoints.scoringPackageStub(root.resolve("real/pkg"));
        Path linkIn = Files.createSymbolicLink(root.resolve("alias"), inside);
        CheckpointValidator validator = CheckpointValidator.withContent(List.of(root), packages());
        assertEquals(Optional.of(CheckpointValidator.OUTSIDE_ALLOWED_ROOTS),
                validator.checkCheckpoint(link).map(CheckpointValidator.Rejection::reason));
        assertEquals(Optional.empty(), validator.checkCheckpoint(linkIn));
        // The root itself reached through a symlink still holds its own folders.
        Path rootLink = Files.createSymbolicLink(tmp.resolve("root-link"), root);
        assertEquals(Optional.empty(), CheckpointValidator.withContent(List.of(rootLink), packages())
                .checkCheckpoint(inside));
    }
}
