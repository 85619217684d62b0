package dev.radar.checkpoint;

/** What a checkpoint folder holds, once it passed {@link CheckpointValidator#inspect}. */
public sealed interface CheckpointContent permits CheckpointContent.ScoringPackage, CheckpointContent.RawCheckpoint {

    /** A RADAR scoring package (contract 1 or 2): loaded as it is. */
    record ScoringPackage(java.nio.file.Path dir) implements CheckpointContent {
    }

    /**
     * A Hugging Face checkpoint of a supported family: the matching architecture package's modules, with their
     * parameters replaced from {@code checkpoint}'s safetensors.
     *
     * @param family RADAR family name (qwen2-vl, internvl3.5, llava-onevision)
     */
    record RawCheckpoint(HfCheckpoint checkpoint, ArchitecturePackages.Package architecture, String family)
            implements CheckpointContent {
    }
}
