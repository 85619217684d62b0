package dev.radar.scoring.prompt;

import java.util.List;

/**
 * A sample's token ids as the reference builds them, visual-token positions marked.
 *
 * @param promptIds          the prompt's ids; every visual-token position holds {@link PromptRules#IMAGE_SLOT}
 *                           (-1). The runtime fills those positions with image features SEQUENTIALLY in pixel
 *                           order ({@link PromptPlan#images()}), which is what every family's model does and what
 *                           reproduces InternVL's reversed text order of several images
 * @param candidateIds       candidate k's scored tokens: prompt and candidate tokenised together, the ids past the
 *                           prompt's own count (never empty)
 * @param jointPrefixIds     the joint tokenisation's first {@code promptIds.length} ids for candidate k (visual
 *                           positions marked the same way); usually equal to promptIds
 * @param packable           every jointPrefixIds equals promptIds, so one prompt can carry all candidates
 * @param imageRunLengths    lengths of the runs of IMAGE_SLOT in promptIds, in text order
 * @param imageRunPixelIndex for each run in text order, the index into {@link PromptPlan#images()} of the image
 *                           the reference text puts there (InternVL: reversed; its features are still filled
 *                           sequentially, so a run may hold another image's features when tile counts differ)
 */
public record TokenizedPrompt(int[] promptIds, List<int[]> candidateIds, List<int[]> jointPrefixIds, boolean packable,
                              int[] imageRunLengths, int[] imageRunPixelIndex) {
    public TokenizedPrompt {
        candidateIds = List.copyOf(candidateIds);
        jointPrefixIds = List.copyOf(jointPrefixIds);
    }

    /** Number of visual-token positions in the prompt. */
    public int visualTokenCount() {
        int n = 0;
        for (int r : imageRunLengths) {
            n += r;
        }
        return n;
    }
}
