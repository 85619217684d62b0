package dev.radar.scoring;

import dev.radar.RadarException;
import dev.radar.checkpoint.ArchitecturePackages;
import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.config.RadarProperties;

import java.util.Locale;

/**
 * How a {@link Scorer} runs. Keys (all optional) and defaults:
 * <ul>
 *   <li>{@code scoring.device} = {@code cpu}: DJL device name ({@code cpu}, {@code gpu}, {@code gpu:1}).</li>
 *   <li>{@code scoring.dtype} = {@code auto}: {@code float32}, {@code bfloat16} or {@code float16}; must match
 *       the dtype the package was exported with (radar-model.json); {@code auto} takes the package's.</li>
 *   <li>{@code scoring.strategy} = {@code packed}: {@code packed} (prompt once, candidates behind it under a block
 *       mask) or {@code per-candidate} (one sequence per candidate, as the reference code).</li>
 *   <li>{@code scoring.batch.tokens} = 8192: padded tokens (rows x longest row) per forward call.</li>
 *   <li>{@code scoring.prefetch} = 16: samples tokenised and image-decoded ahead of the model (bounded queue).</li>
 *   <li>{@code scoring.prep.threads} = 1: threads preparing samples (tokenising, decoding images).</li>
 *   <li>{@code scoring.architectures}: folder of architecture packages for raw Hugging Face checkpoints
 *       ({@link CheckpointConfig}).</li>
 * </ul>
 * The same code runs on CPU and GPU: only these values differ.
 */
public record ScoringConfig(String device, String dtype, Strategy strategy, int batchTokens, int prefetch,
                            int prepThreads, ArchitecturePackages architectures) {

    public enum Strategy {
        PACKED, PER_CANDIDATE;

        public static Strategy parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            return switch (v) {
                case "packed" -> PACKED;
                case "per-candidate" -> PER_CANDIDATE;
                default -> throw new RadarException("scoring.strategy must be packed or per-candidate, was '" + s + "'");
            };
        }

        public String label() {
            return this == PACKED ? "packed" : "per-candidate";
        }
    }

    public ScoringConfig {
        device = device == null || device.isBlank() ? "cpu" : device.trim();
        dtype = dtype == null || dtype.isBlank() ? "auto" : dtype.trim().toLowerCase(Locale.ROOT);
        if (!dtype.equals("auto") && !dtype.equals("float32") && !dtype.equals("bfloat16") && !dtype.equals("float16")) {
            throw new RadarException("scoring.dtype must be auto, float32, bfloat16 or float16, was '" + dtype + "'");
        }
        strategy = strategy == null ? Strategy.PACKED : strategy;
        if (batchTokens < 1 || prefetch < 1 || prepThreads < 1) {
            throw new RadarException("scoring.batch.tokens, scoring.prefetch and scoring.prep.threads must be >= 1");
        }
        architectures = architectures == null ? ArchitecturePackages.none() : architectures;
    }

    /** Without architecture packages: scoring packages only. */
    public ScoringConfig(String device, String dtype, Strategy strategy, int batchTokens, int prefetch, int prepThreads) {
        this(device, dtype, strategy, batchTokens, prefetch, prepThreads, ArchitecturePackages.none());
    }

    public static ScoringConfig defaults() {
        return from(RadarProperties.empty());
    }

    public static ScoringConfig from(RadarProperties p) {
        return new ScoringConfig(p.get("scoring.device", "cpu"), p.get("scoring.dtype", "auto"),
                Strategy.parse(p.get("scoring.strategy", "packed")), p.getInt("scoring.batch.tokens", 8192),
                p.getInt("scoring.prefetch", 16), p.getInt("scoring.prep.threads", 1),
                new ArchitecturePackages(CheckpointConfig.from(p).architectures()));
    }

    public ScoringConfig withStrategy(Strategy s) {
        return new ScoringConfig(device, dtype, s, batchTokens, prefetch, prepThreads, architectures);
    }

    public ScoringConfig withArchitectures(ArchitecturePackages a) {
        return new ScoringConfig(device, dtype, strategy, batchTokens, prefetch, prepThreads, a);
    }
}
