package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.image.VisionInput;
import dev.radar.scoring.prompt.PromptRules;

import java.util.List;

/**
 * A sample after tokenising and image decoding (done on a prefetch thread), or why that failed.
 *
 * @param index        position in the caller's list
 * @param sample       the sample
 * @param promptIds    the prompt's own token ids; contract 1: image placeholders expanded; contract 2: every
 *                     visual-token position holds {@link #IMAGE_SLOT}
 * @param candidateIds per candidate, its tokens: those of prompt+candidate past the prompt's own length
 * @param jointPrefixIds per candidate, the ids of prompt+candidate before the candidate tokens (laid out like
 *                     promptIds; equal to it unless tokenising jointly changed the prompt's tail)
 * @param packable     every candidate's joint prefix equals promptIds, so one shared prompt is exact
 * @param tiles        contract 1: normalised image tiles in prompt order
 * @param images       contract 2: the sample's images in pixel order (their features fill the image slots in
 *                     text order, one feature row per slot, as the reference's masked scatter does)
 * @param imageRuns    contract 2: length of each run of image slots in text order (M-RoPE needs the boundaries)
 * @param failure      reason naming the sample (and file) when it cannot be scored, else null
 * @param prepNanos    time spent preparing
 */
record PreparedSample(int index, BenchSample sample, int[] promptIds, List<int[]> candidateIds,
                      List<int[]> jointPrefixIds, boolean packable, List<float[]> tiles, List<VisionInput> images,
                      int[] imageRuns, String failure, long prepNanos) {

    /** Marks a visual-token position in contract-2 ids (the prompt rules' mark); the batch replaces it by imageTokenId. */
    static final int IMAGE_SLOT = PromptRules.IMAGE_SLOT;

    /** Contract 1 (tiles, no image slots). */
    PreparedSample(int index, BenchSample sample, int[] promptIds, List<int[]> candidateIds,
                   List<int[]> jointPrefixIds, boolean packable, List<float[]> tiles, String failure, long prepNanos) {
        this(index, sample, promptIds, candidateIds, jointPrefixIds, packable, tiles, List.of(), new int[0], failure,
                prepNanos);
    }

    static PreparedSample failed(int index, BenchSample sample, String failure, long prepNanos) {
        return new PreparedSample(index, sample, null, List.of(), List.of(), false, List.of(), failure, prepNanos);
    }

    /** Feature rows this sample's images contribute to a batch's image_features. */
    int visualTokens() {
        int n = 0;
        for (VisionInput i : images) {
            n += i.visualTokens();
        }
        return n;
    }
}
