package dev.radar.scoring.djl;

import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;

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
}
