package dev.radar.events;

/**
 * Record keys. Every record of one (run, step) is keyed by {@link #checkpoint} so that it lands on one partition
 * and aggregates there; shard tasks are keyed per shard to spread them over the scorer group.
 */
public final class EventKeys {
    private EventKeys() {
    }

    public static String checkpoint(String runId, long step) {
        return runId + "/" + step;
    }

    public static String shard(String evaluationId, int shardIndex) {
        return evaluationId + "/" + shardIndex;
    }

    public static String report(String runId, long step, String benchmarkVersion) {
        return runId + "/" + step + "/" + benchmarkVersion;
    }

    /** Evaluation id of a (run, step, benchmark version): stable, so a re-published checkpoint maps to the same one. */
    public static String evaluationId(String runId, long step, String benchmarkVersion) {
        return runId + "@" + step + "#" + shortVersion(benchmarkVersion);
    }

    public static String shortVersion(String benchmarkVersion) {
        return benchmarkVersion.length() > 12 ? benchmarkVersion.substring(0, 12) : benchmarkVersion;
    }
}
