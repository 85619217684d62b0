package dev.radar.scoring.prompt;

import java.util.Locale;

/**
 * The benchmark sources whose prompts the reference scripts build differently. The scripts test the task file's
 * path for {@code MMMU_Pro}, {@code MMBench}, {@code MathVista} and {@code SeePhys}; everything else (the Wiki
 * identification sources, spatial reasoning, RADAR's synthetic source) takes the scripts' last branch.
 */
public enum SourceLayout {
    MMBENCH, MMMU_PRO, MATHVISTA, SEEPHYS, OTHER;

    /** The layout of a sample's source name ({@code BenchSample.source()}), ignoring case and punctuation. */
    public static SourceLayout of(String source) {
        String n = source == null ? "" : source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return switch (n) {
            case "mmbench" -> MMBENCH;
            case "mmmupro" -> MMMU_PRO;
            case "mathvista" -> MATHVISTA;
            case "seephys" -> SEEPHYS;
            default -> OTHER;
        };
    }
}
