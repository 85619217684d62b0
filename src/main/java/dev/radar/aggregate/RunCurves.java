package dev.radar.aggregate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Curve state of one run (store value, keyed by runId): per benchmark version, the completed checkpoints ordered
 * by step (not by arrival, so a backfilled older checkpoint lands in its place), the steps still being scored
 * (a stagnation window never spans one) and whether reasoning is currently flagged as stagnating. Versions are kept apart because their scores never mix.
 */
final class RunCurves {
    /** Version of the most recently completed checkpoint: the one queries show. */
    String latestVersion;
    final Map<String, VersionCurve> versions = new TreeMap<>();

    static final class VersionCurve {
        final TreeMap<Long, Checkpoint> points = new TreeMap<>();
        /** Steps with a partial report and neither a complete report nor a failure yet. */
        final TreeSet<Long> inFlight = new TreeSet<>();
        boolean stagnating;

        /** Puts (or replaces) a checkpoint and drops the oldest steps beyond {@code maxSteps}. */
        void put(long step, Checkpoint c, int maxSteps) {
            points.put(step, c);
            inFlight.remove(step);
            while (points.size() > maxSteps) {
                points.pollFirstEntry();
            }
            // Steps in flight older than every kept point can no longer fall inside a window.
            inFlight.headSet(points.firstKey()).clear();
        }
    }

    /** One completed checkpoint: ability name (top-level and fine) to its point. */
    record Checkpoint(String evaluationId, Map<String, CurvePoint> abilities) {
        Checkpoint {
            abilities = new LinkedHashMap<>(abilities);
        }
    }
}
