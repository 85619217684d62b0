package dev.radar.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A benchmark version split into shards of similar evaluation cost, so shards finish at about the same time.
 * The split is a pure function of (version, shard count): every worker computes the same plan.
 */
public final class ShardPlan {

    /**
     * One shard.
     *
     * @param index      0-based shard index
     * @param sampleKeys keys ({@link BenchSample#key()}) of its samples, in benchmark order
     * @param cost       sum of {@link #costOf(BenchSample)} over its samples
     */
    public record Shard(int index, List<String> sampleKeys, long cost) {
        public Shard {
            sampleKeys = List.copyOf(sampleKeys);
        }
    }

    private final String version;
    private final List<Shard> shards;

    ShardPlan(String version, List<Shard> shards) {
        this.version = Objects.requireNonNull(version);
        this.shards = List.copyOf(shards);
    }

    public String version() {
        return version;
    }

    public int shardCount() {
        return shards.size();
    }

    public List<Shard> shards() {
        return shards;
    }

    public Shard shard(int index) {
        checkIndex(index, shards.size());
        return shards.get(index);
    }

    public int sampleCountOfShard(int index) {
        return shard(index).sampleKeys().size();
    }

    /**
     * Visual tokens per image assumed where the model is not known: the balance of a plan must not depend on the
     * checkpoint, since every scorer recomputes the same plan from (version, shard count). A 448-pixel InternVL tile,
     * Qwen2-VL's smallest budget and the tiny test model all have 256.
     */
    public static final int DEFAULT_VISUAL_TOKENS = 256;

    /** {@link #costOf(BenchSample, int)} with {@link #DEFAULT_VISUAL_TOKENS}: the cost shards are balanced by. */
    public static long costOf(BenchSample s) {
        return costOf(s, DEFAULT_VISUAL_TOKENS);
    }

    /**
     * Estimated tokens the model processes for a sample: the prompt once (question characters / 4, plus
     * {@code visualTokensPerImage} per image) and every candidate (characters / 4, at least one token), since each
     * candidate is scored as a continuation of the prompt.
     */
    public static long costOf(BenchSample s, int visualTokensPerImage) {
        long candidates = s.candidates().stream().mapToLong(c -> Math.max(1, (c.length() + 3) / 4)).sum();
        return (s.question().length() + 3) / 4 + (long) visualTokensPerImage * s.images().size() + candidates;
    }

    /** Greedy longest-processing-time: costliest sample first, each onto the currently cheapest shard. */
    static ShardPlan plan(String version, List<BenchSample> samples, int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + shardCount);
        }
        List<BenchSample> order = new ArrayList<>(samples);
        order.sort(Comparator.comparingLong((BenchSample s) -> costOf(s)).reversed().thenComparing(Names.SAMPLE_ORDER));
        long[] cost = new long[shardCount];
        List<List<BenchSample>> members = new ArrayList<>();
        PriorityQueue<Integer> cheapest = new PriorityQueue<>(
                Comparator.<Integer>comparingLong(i -> cost[i]).thenComparingInt(i -> i));
        for (int i = 0; i < shardCount; i++) {
            members.add(new ArrayList<>());
            cheapest.add(i);
        }
        for (BenchSample s : order) {
            int i = cheapest.poll();
            members.get(i).add(s);
            cost[i] += costOf(s);
            cheapest.add(i);
        }
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            List<BenchSample> m = members.get(i);
            m.sort(Names.SAMPLE_ORDER);
            shards.add(new Shard(i, m.stream().map(BenchSample::key).toList(), cost[i]));
        }
        return new ShardPlan(version, shards);
    }

    static void checkIndex(int index, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + count);
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index " + index + " is outside 0.." + (count - 1));
        }
    }
}
