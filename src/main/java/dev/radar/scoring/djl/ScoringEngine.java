package dev.radar.scoring.djl;

import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of the scoring engine:
 * <pre>{@code
 * try (Scorer s = ScoringEngine.open(modelDir, ScoringConfig.from(props))) {
 *     List<SampleResult> results = s.score(samples, ProgressListener.NONE);
 * }
 * }</pre>
 * Opening is thread-safe (several scorers may load concurrently); each scorer scores from one thread at a time.
 */
public final class ScoringEngine {

    private ScoringEngine() {
    }

    /**
     * Loads the scoring package in {@code modelDir} (radar-model.json, tokenizer.json, and model.pt for contract 1
     * or vision.pt + language.pt for contract 2).
     *
     * @throws ModelLoadException naming the missing, corrupt or inconsistent file
     */
    public static Scorer open(Path modelDir, ScoringConfig cfg) {
        return DjlScorer.open(modelDir, cfg);
    }

    /**
     * Checks, before any checkpoint arrives, what every load needs: the PyTorch engine starts on
     * {@code scoring.device} (a tensor is made there) and {@code scoring.architectures}, when set, is a readable
     * folder. A scorer that fails this could load no checkpoint at all. Takes seconds (the engine's natives load once).
     *
     * @throws ModelLoadException saying what is wrong
     */
    public static void checkRuntime(ScoringConfig cfg) {
        ScoringModel.checkDevice(cfg.device());
        cfg.architectures().root().ifPresent(root -> {
            if (!Files.isDirectory(root) || !Files.isReadable(root)) {
                throw new ModelLoadException("scoring.architectures " + root + " is not a readable folder");
            }
        });
    }
}
