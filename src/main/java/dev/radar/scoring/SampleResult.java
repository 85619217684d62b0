package dev.radar.scoring;

import java.util.List;

/**
 * The score of one benchmark sample, or why it could not be scored.
 *
 * @param key            {@code task/id}, unique within a benchmark version
 * @param id             question id
 * @param task           task name
 * @param sds            p_0 (NaN when failed)
 * @param correct        argmax(p) == 0, first maximum winning
 * @param llCorrect      log-likelihood accuracy (summed z_t - logsumexp_t)
 * @param llNormCorrect  length-normalised log-likelihood accuracy (mean z_t - logsumexp_t)
 * @param meanLogits     s_k per candidate (candidate 0 correct)
 * @param tokenCounts    L_k per candidate
 * @param tokenLogits    z_t per candidate and token
 * @param probabilities  softmax(s)
 * @param failure        why the sample failed (names the sample and the file), null on success
 * @param millis         time attributed to this sample (its preparation plus its share of the batch forwards)
 */
public record SampleResult(String key, String id, String task, double sds, boolean correct, boolean llCorrect,
                           boolean llNormCorrect, double[] meanLogits, int[] tokenCounts, List<double[]> tokenLogits,
                           double[] probabilities, String failure, long millis) {

    public boolean success() {
        return failure == null;
    }

    public static SampleResult failed(String key, String id, String task, String failure, long millis) {
        return new SampleResult(key, id, task, Double.NaN, false, false, false, new double[0], new int[0],
                List.of(), new double[0], failure, millis);
    }
}
