package dev.radar.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from evidence, whether reasoning stagnates while perception still improves, over the last N complete
 * checkpoints of a run.
 *
 * <p>For each ability a least-squares line of SDS vs step is fitted over the window; its gain is
 * {@code g = slope * (last step - first step)}, and the standard error of that gain is propagated from the
 * checkpoints' own standard errors (per-sample variance / n): {@code se(g) = span * sqrt(sum dx_i^2 se_i^2) / sum dx_i^2}.
 * With {@code k} = {@code aggregator.stagnation.stderr.factor} and {@code m} = {@code aggregator.stagnation.min.gain}:
 * <ul>
 *   <li>reasoning is <b>flat</b> when even its upper bound stays below the floor: {@code g_r + k se(g_r) < m}. The
 *       absence of a significant gain is not enough: with few samples the bound is wide and no alert fires;</li>
 *   <li>perception is <b>clearly ahead</b> when {@code g_p >= aggregator.perception.min.gain} and
 *       {@code g_p - g_r > k sqrt(se(g_p)^2 + se(g_r)^2)};</li>
 *   <li>a verdict needs every checkpoint of the window to have at least {@code aggregator.stagnation.min.samples}
 *       scored samples of both abilities (a standard error from a handful of samples is itself unreliable), and no
 *       step inside the window still being scored (the window is the last N complete checkpoints, contiguous).</li>
 * </ul>
 * Stagnation = flat and perception clearly ahead. Recovery (after a stagnation) = reasoning <b>moves</b>: its
 * lower bound {@code g_r - k se(g_r)} is above zero and {@code g_r >= m}.
 */
final class StagnationDetector {
    private final int window;
    private final double minGain;
    private final double k;
    private final double perceptionMinGain;
    private final int minSamples;

    StagnationDetector(AggregatorConfig cfg) {
        this(cfg.stagnationWindow(), cfg.stagnationMinGain(), cfg.stderrFactor(), cfg.perceptionMinGain(),
                cfg.stagnationMinSamples());
    }

    StagnationDetector(int window, double minGain, double k, double perceptionMinGain, int minSamples) {
        this.window = window;
        this.minGain = minGain;
        this.k = k;
        this.perceptionMinGain = perceptionMinGain;
        this.minSamples = minSamples;
    }

    /** The evidence over one window; {@code threshold} is the floor {@code m} the reasoning upper bound must stay under. */
    record Verdict(List<Long> steps, List<Double> values, double slopePerStep, double gain, double gainStderr,
                   double threshold, double perceptionGain, double perceptionGainStderr, double perceptionThreshold,
                   double k, int minSamples) {
        double upperBound() {
            return gain + k * gainStderr;
        }

        /** Perception gain minus reasoning gain, in standard errors of that difference (infinite when both are exact). */
        double differenceInStderrs() {
            double se = Math.sqrt(gainStderr * gainStderr + perceptionGainStderr * perceptionGainStderr);
            double d = perceptionGain - gain;
            return se == 0 ? (d > 0 ? Double.POSITIVE_INFINITY : d < 0 ? Double.NEGATIVE_INFINITY : 0) : d / se;
        }

        boolean reasoningFlat() {
            return upperBound() < threshold;
        }

        boolean perceptionClearlyAhead() {
            return perceptionGain >= perceptionThreshold && differenceInStderrs() > k;
        }

        boolean stagnant() {
            return reasoningFlat() && perceptionClearlyAhead();
        }

        boolean reasoningMoves() {
            return gain - k * gainStderr > 0 && gain >= threshold;
        }
    }

    /** Fit of one ability over the window. */
    record Fit(double slopePerStep, double gain, double seGain) {
    }

    /**
     * Evaluates the last {@code window} complete checkpoints (by step) that have both abilities; empty while fewer
     * exist, while a step inside that window is still being scored ({@code inFlight}), or while a checkpoint of the
     * window has fewer than the minimum samples of either ability.
     */
    Optional<Verdict> evaluate(Map<Long, RunCurves.Checkpoint> byStep, Set<Long> inFlight) {
        List<Long> steps = new ArrayList<>();
        List<CurvePoint> reasoning = new ArrayList<>();
        List<CurvePoint> perception = new ArrayList<>();
        List<Long> ordered = new ArrayList<>(byStep.keySet());
        ordered.sort(null);
        for (int i = ordered.size() - 1; i >= 0 && steps.size() < window; i--) {
            RunCurves.Checkpoint c = byStep.get(ordered.get(i));
            CurvePoint r = c.abilities().get(CheckpointState.REASONING);
            CurvePoint p = c.abilities().get(CheckpointState.PERCEPTION);
            if (r != null && p != null) {
                steps.add(0, ordered.get(i));
                reasoning.add(0, r);
                perception.add(0, p);
            }
        }
        if (steps.size() < window) {
            return Optional.empty();
        }
        long first = steps.get(0);
        long last = steps.get(steps.size() - 1);
        if (inFlight.stream().anyMatch(s -> s > first && s < last)) {
            return Optional.empty();
        }
        int fewest = Integer.MAX_VALUE;
        for (int i = 0; i < steps.size(); i++) {
            fewest = Math.min(fewest, Math.min(reasoning.get(i).samples(), perception.get(i).samples()));
        }
        if (fewest < minSamples) {
            return Optional.empty();
        }
        Fit r = fit(steps, reasoning);
        Fit p = fit(steps, perception);
        List<Double> values = reasoning.stream().map(CurvePoint::sds).toList();
        return Optional.of(new Verdict(steps, values, r.slopePerStep(), r.gain(), r.seGain(), minGain,
                p.gain(), p.seGain(), perceptionMinGain, k, fewest));
    }

    static Fit fit(List<Long> steps, List<CurvePoint> points) {
        int n = steps.size();
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += steps.get(i);
            my += points.get(i).sds();
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        double varNum = 0;
        for (int i = 0; i < n; i++) {
            double dx = steps.get(i) - mx;
            sxx += dx * dx;
            sxy += dx * (points.get(i).sds() - my);
            varNum += dx * dx * points.get(i).stderr() * points.get(i).stderr();
        }
        if (sxx == 0) {
            return new Fit(0, 0, 0);
        }
        double slope = sxy / sxx;
        double span = steps.get(n - 1) - steps.get(0);
        return new Fit(slope, slope * span, span * Math.sqrt(varNum) / sxx);
    }
}
