package dev.radar.scoring;

import java.util.List;

/**
 * Soft Discrimination Score arithmetic, exactly as the paper's reference code computes it (see DESIGN.md):
 * {@code s_k = mean_t z_t} over candidate k's raw token logits, {@code p = softmax(s)}, {@code SDS = p_0},
 * correct iff {@code argmax(p) == 0} with the first maximum winning (a tie counts correct). Also the
 * log-likelihood accuracies other harnesses report ({@code z_t - logsumexp_t}, summed or averaged).
 * Pure functions, no model: the CLI ({@code radar sds}) and the engine share them.
 */
public final class Sds {

    private Sds() {
    }

    /**
     * @param sds           p_0
     * @param correct       argmax(p) == 0, first maximum winning
     * @param meanLogits    s_k per candidate
     * @param probabilities softmax(s)
     * @param llCorrect     argmax of summed log-probabilities == 0; null when no logsumexp was given
     * @param llNormCorrect argmax of mean log-probabilities == 0; null when no logsumexp was given
     */
    public record Result(double sds, boolean correct, double[] meanLogits, double[] probabilities,
                         Boolean llCorrect, Boolean llNormCorrect) {
    }

    /**
     * @param tokenLogits    per candidate (index 0 correct), the raw logit z_t of each of its tokens
     * @param tokenLogsumexp per candidate, the logsumexp of the same positions; may be null (SDS only)
     * @throws IllegalArgumentException fewer than two candidates, an empty candidate, or mismatched lengths
     */
    public static Result score(List<double[]> tokenLogits, List<double[]> tokenLogsumexp) {
        int k = tokenLogits.size();
        if (k < 2) {
            throw new IllegalArgumentException("need at least 2 candidates, got " + k);
        }
        if (tokenLogsumexp != null && tokenLogsumexp.size() != k) {
            throw new IllegalArgumentException("logsumexp given for " + tokenLogsumexp.size() + " of " + k + " candidates");
        }
        double[] mean = new double[k];
        double[] ll = new double[k];
        double[] llNorm = new double[k];
        for (int c = 0; c < k; c++) {
            double[] z = tokenLogits.get(c);
            if (z == null || z.length == 0) {
                throw new IllegalArgumentException("candidate " + c + " has no tokens");
            }
            mean[c] = mean(z);
            if (!Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("candidate " + c + " has a non-finite logit");
            }
            if (tokenLogsumexp != null) {
                double[] lse = tokenLogsumexp.get(c);
                if (lse == null || lse.length != z.length) {
                    throw new IllegalArgumentException("candidate " + c + ": " + z.length + " logits but "
                            + (lse == null ? 0 : lse.length) + " logsumexp values");
                }
                double sum = 0;
                for (int t = 0; t < z.length; t++) {
                    sum += z[t] - lse[t];
                }
                ll[c] = sum;
                llNorm[c] = sum / z.length;
            }
        }
        double[] p = softmax(mean);
        boolean hasLl = tokenLogsumexp != null;
        return new Result(p[0], firstArgmax(p) == 0, mean, p,
                hasLl ? firstArgmax(ll) == 0 : null, hasLl ? firstArgmax(llNorm) == 0 : null);
    }

    /** Numerically stable softmax (temperature 1). */
    public static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] p = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            p[i] = Math.exp(x[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < x.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Index of the first maximum (so a tie with candidate 0 counts as correct). */
    public static int firstArgmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    static double mean(double[] z) {
        double s = 0;
        for (double v : z) {
            s += v;
        }
        return s / z.length;
    }
}
