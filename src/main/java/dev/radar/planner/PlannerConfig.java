package dev.radar.planner;

import dev.radar.RadarException;
import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.config.RadarProperties;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Planner settings.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>benchmarks.&lt;name&gt;.path</td><td></td><td>folder of the benchmark a CheckpointSaved names, e.g. benchmarks.m3-bench.path</td></tr>
 *   <tr><td>planner.allowed.roots</td><td>(any)</td><td>comma-separated folders checkpoints must live under</td></tr>
 *   <tr><td>planner.shard.tokens</td><td>65536</td><td>estimated tokens the model processes per shard (visual tokens of the
 *       checkpoint's family, prompt and every candidate); the shard count is the benchmark's estimate over this, so a
 *       shard is a few seconds of device work (a 2-8B model on one GPU; about 2 s for the tiny CPU test model)</td></tr>
 *   <tr><td>planner.samples.per.shard</td><td>0 (off)</td><td>when set, also at most this many samples per shard</td></tr>
 *   <tr><td>planner.max.shards</td><td>256</td><td>upper bound on shards per evaluation</td></tr>
 *   <tr><td>planner.group.id</td><td>radar-planner</td><td>consumer group on radar.checkpoints</td></tr>
 *   <tr><td>planner.require.checkpoint.exists</td><td>true</td><td>dead-letter events whose checkpoint folder is missing</td></tr>
 * </table>
 */
public record PlannerConfig(RadarProperties props, List<Path> allowedRoots, long shardTokens, int samplesPerShard,
                            int maxShards, String groupId, boolean requireCheckpointExists) {

    public static PlannerConfig from(RadarProperties p) {
        List<Path> allowed = CheckpointConfig.from(p).allowedRoots();
        int perShard = p.getInt("planner.samples.per.shard", 0);
        if (perShard < 0) {
            throw new RadarException("planner.samples.per.shard must be >= 0 (0 = no limit), was " + perShard);
        }
        long shardTokens = p.getLong("planner.shard.tokens", 65_536);
        if (shardTokens < 1) {
            throw new RadarException("planner.shard.tokens must be >= 1, was " + shardTokens);
        }
        return new PlannerConfig(p, allowed, shardTokens, perShard, Math.max(1, p.getInt("planner.max.shards", 256)),
                p.get("planner.group.id", "radar-planner"), p.getBoolean("planner.require.checkpoint.exists", true));
    }

    /**
     * The folder configured for a benchmark name, if any. Also looks the name up with '-' and '_' read as '.',
     * because environment variables cannot carry '-': RADAR_BENCHMARKS_M3_BENCH_PATH sets benchmarks.m3.bench.path.
     */
    public Optional<Path> benchmarkPath(String name) {
        for (String key : List.of(name, name.replace('-', '.').replace('_', '.'))) {
            String v = props.get("benchmarks." + key + ".path", null);
            if (v != null && !v.isBlank()) {
                return Optional.of(Path.of(v));
            }
        }
        return Optional.empty();
    }

    /** Shards for {@code samples} samples of {@code tokens} estimated tokens in all: by cost, capped as configured. */
    public int shardsFor(int samples, long tokens) {
        long byCost = (tokens + shardTokens - 1) / shardTokens;
        long bySamples = samplesPerShard > 0 ? (samples + samplesPerShard - 1) / samplesPerShard : 1;
        return (int) Math.max(1, Math.min(Math.min(maxShards, samples), Math.max(byCost, bySamples)));
    }
}
