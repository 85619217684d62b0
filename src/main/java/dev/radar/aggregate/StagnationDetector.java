package dev.radar.aggregate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether reasoning stagnates while perception still improves, over the last N completed checkpoints.
 *
 * <p>For each ability a least-squares line of SDS vs step is fitted; its gain over the window is
 * {@code slope * (last step - first step)}. An ability "moves" when its gain reaches
 * {@code threshold = max(minGain, k * se(gain))}, where {@code se(gain)} is the standard error of the fitted gain
 * propagated from the per-checkpoint standard errors, {@code span * sqrt(sum dx_i^2 se_i^2) / sum dx_i^2}: noise
 * alone must not look like progress, nor its absence like stagnation. Reasoning stagnates when it does not move
 * and perception does.
 */
final class StagnationDetector {
    private final int window;
    private final double minGain;
    private final double k;
    private final double perceptionMinGain;

    StagnationDetector(AggregatorConfig cfg) {
        this(cfg.stagnationWindow(), cfg.stagnationMinGain(), cfg.stderrFactor(), cfg.perceptionMinGain());
    }

    StagnationDetector(int window, double minGain, double k, double perceptionMinGain) {
        this.window = window;
        this.minGain = minGain;
        this.k = k;
        this.perceptionMinGain = perceptionMinGain;
    }

    /** The evidence over one window. */
    record Verdict(List<Long> steps, List<Double> values, double slopePerStep, double gain, double threshold,
                   double perceptionGain, double perceptionThreshold) {
        boolean reasoningMoves() {
            return gain >= threshold;
        }

        boolean stagnant() {
            return !reasoningMoves() && perceptionGain >= perceptionThreshold;
        }
    }

    /** Fit of one ability over the window. */
    record Fit(double slopePerStep, double gain, double seGain) {
    }

    /**
     * Evaluates the last {@code window} checkpoints (by step) that have both abilities; empty while fewer exist.
     */
    Optional<Verdict> evaluate(Map<Long, RunCurves.Checkpoint> byStep) {
        List<Long> steps = new ArrayList<>();
        List<CurvePoint> reasoning = new ArrayList<>();
        List<CurvePoint> perception = new ArrayList<>();
        // Iterate from the newest step backwards until the window is full.
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
        Fit r = fit(steps, reasoning);
        Fit p = fit(steps, perception);
        List<Double> values = reasoning.stream().map(CurvePoint::sds).toList();
        return Optional.of(new Verdict(steps, values, r.slopePerStep(), r.gain(), threshold(minGain, r),
                p.gain(), threshold(perceptionMinGain, p)));
    }

    private double threshold(double floor, Fit fit) {
        return Math.max(floor, k * fit.seGain());
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
