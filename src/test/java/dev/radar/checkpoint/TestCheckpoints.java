package dev.radar.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checkpoint folders for tests that plan but never load: the validator's view of a scoring package. */
public final class TestCheckpoints {
    private TestCheckpoints() {
    }

    /** Makes {@code dir} a contract-1 scoring package as far as validation goes (the files exist, JSON parses). */
    public static Path scoringPackageStub(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("radar-model.json"), "{\"name\": \"stub\"}");
            Files.writeString(dir.resolve("model.pt"), "not loaded by planner tests");
            Files.writeString(dir.resolve("tokenizer.json"), "{}");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
