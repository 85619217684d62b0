package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;

import java.nio.file.Path;
import java.util.List;

/**
 * What contract-2 preparation needs from a family: its prompt rules (dev.radar.scoring.prompt) and its image
 * processor (dev.radar.scoring.image), seen through one narrow interface so that the scoring path does not
 * depend on how those packages spell their types. Implementations are thread-safe (prefetch threads share one).
 */
interface FamilyRules {

    /** Version of the prompt rules, recorded with every score. */
    String version();

    /** The sample's prompt plan: its images in pixel order. Throws when the prompt cannot be built. */
    Plan plan(BenchSample sample);

    /** One image, processed as the family's reference does. Throws when the file cannot be read or decoded. */
    ImageInput image(Path file) throws Exception;

    /** Token ids of the plan's prompt and candidates, given the visual tokens of each image in pixel order. */
    PromptTokens tokenize(Plan plan, int[] visualTokensPerImage);

    /** A planned prompt: the images to process (pixel order) and the rules' own plan object. */
    record Plan(List<Path> images, Object rulesPlan) {
    }

    /**
     * @param promptIds       prompt ids, {@link PreparedSample#IMAGE_SLOT} at visual-token positions
     * @param candidateIds    per candidate, its tokens past the prompt
     * @param jointPrefixIds  per candidate, the joint tokenisation's ids before the candidate
     * @param packable        every joint prefix equals promptIds
     * @param imageRunLengths length of each run of image slots in text order
     */
    record PromptTokens(int[] promptIds, List<int[]> candidateIds, List<int[]> jointPrefixIds, boolean packable,
                        int[] imageRunLengths) {
    }
}
