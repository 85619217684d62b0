package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;

import java.util.List;

/**
 * A sample after tokenising and image decoding (done on a prefetch thread), or why that failed.
 *
 * @param index        position in the caller's list
 * @param sample       the sample
 * @param promptIds    the prompt's own token ids, image placeholders expanded
 * @param candidateIds per candidate, its tokens: those of prompt+candidate past the prompt's own length
 * @param jointPrefixIds per candidate, the expanded ids of prompt+candidate before the candidate tokens
 *                     (equal to promptIds unless tokenising jointly changed the prompt's tail)
 * @param packable     every candidate's joint prefix equals promptIds, so one shared prompt is exact
 * @param tiles        normalised image tiles in prompt order
 * @param failure      reason naming the sample (and file) when it cannot be scored, else null
 * @param prepNanos    time spent preparing
 */
record PreparedSample(int index, BenchSample sample, int[] promptIds, List<int[]> candidateIds,
                      List<int[]> jointPrefixIds, boolean packable, List<float[]> tiles, String failure,
                      long prepNanos) {

    static PreparedSample failed(int index, BenchSample sample, String failure, long prepNanos) {
        return new PreparedSample(index, sample, null, List.of(), List.of(), false, List.of(), failure, prepNanos);
    }
}
