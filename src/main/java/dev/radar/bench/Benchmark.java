package dev.radar.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An M3-Bench benchmark read from its root folder: samples in deterministic order (task, then question id),
 * the problems met while reading (each skipped question is listed), the task taxonomy, and a content version.
 *
 * <p>The version is a SHA-256 over every sample's task, id, question, candidates and image bytes; it does not
 * depend on the taxonomy, file locations or timestamps, so it is the same on every machine holding the same
 * data. Image digests are cached in {@code root/.radar/version.json}, keyed by file size and times.
 */
public final class Benchmark {
    private final BenchContent content;
    private final Taxonomy taxonomy;
    private final Map<String, Integer> countsByTask;

    private Benchmark(BenchContent content, Taxonomy taxonomy) {
        this.content = content;
        Map<String, String> folders = new TreeMap<>();
        content.files().forEach((task, ref) -> folders.put(task, ref.folder()));
        this.taxonomy = taxonomy.withTaskFolders(folders);
        Map<String, Integer> counts = new TreeMap<>();
        content.samples().forEach(s -> counts.merge(s.task(), 1, Integer::sum));
        this.countsByTask = java.util.Collections.unmodifiableMap(counts);
        // Fail now, not after a checkpoint has been scored: every task must have an ability.
        counts.keySet().forEach(this.taxonomy::abilityOf);
    }

    /** Loads with {@code root/taxonomy.yaml} when present, else {@link Taxonomy#defaults()}. */
    public static Benchmark load(Path root) {
        return load(root, taxonomyOf(root));
    }

    /** {@code root/taxonomy.yaml} when present, else {@link Taxonomy#defaults()}. */
    private static Taxonomy taxonomyOf(Path root) {
        Path own = M3BenchReader.checkRoot(root).resolve(Taxonomy.FILE_NAME);
        return Files.isRegularFile(own) ? Taxonomy.load(own) : Taxonomy.defaults();
    }

    /** One shard's samples and the ability of each of their tasks, as {@link #taxonomy()} assigns them. */
    public record Shard(List<BenchSample> samples, Map<String, TaskAbility> abilities) {
        public Shard {
            samples = List.copyOf(samples);
            abilities = Map.copyOf(abilities);
        }

        public TaskAbility abilityOf(String task) {
            TaskAbility a = abilities.get(task);
            if (a == null) {
                throw new IllegalArgumentException("task " + task + " is not in this shard");
            }
            return a;
        }
    }

    /**
     * @throws dev.radar.RadarException if the root is missing or unreadable, or a task has no ability in the taxonomy
     */
    public static Benchmark load(Path root, Taxonomy taxonomy) {
        return new Benchmark(BenchContent.read(root), taxonomy);
    }

    /**
     * Loads one shard of {@link #shardPlan(int)} reading only its task files and images, using the plan index
     * in {@code root/.radar} (built, by a full read, when missing).
     *
     * @throws dev.radar.RadarException if the benchmark on disk is not {@code expectedVersion}
     */
    public static Shard loadShard(Path root, String expectedVersion, int shardIndex, int shardCount) {
        ShardIndex.Loaded loaded = ShardIndex.load(root, expectedVersion, shardIndex, shardCount);
        // The shard's own tasks are enough to resolve abilities: no need to read the whole benchmark for them.
        Taxonomy taxonomy = taxonomyOf(root).withTaskFolders(loaded.taskFolders());
        Map<String, TaskAbility> abilities = new TreeMap<>();
        loaded.samples().forEach(s -> abilities.computeIfAbsent(s.task(), taxonomy::abilityOf));
        return new Shard(loaded.samples(), abilities);
    }

    /** Number of samples in a shard, from the plan index alone when it exists. */
    public static int sampleCountOfShard(Path root, String expectedVersion, int shardIndex, int shardCount) {
        return ShardIndex.sampleCount(root, expectedVersion, shardIndex, shardCount);
    }

    /** Absolute, normalised root folder. */
    public Path root() {
        return content.root();
    }

    /** Name of the root folder. */
    public String name() {
        Path n = content.root().getFileName();
        return n == null ? content.root().toString() : n.toString();
    }

    /** Full SHA-256 content hash, 64 hex characters (the first 16 are enough for display). */
    public String version() {
        return content.version();
    }

    public List<BenchSample> samples() {
        return content.samples();
    }

    public List<BenchProblem> problems() {
        return content.problems();
    }

    /** Questions skipped for having more than 12 images (each is also listed in {@link #problems()}). */
    public int skippedTooManyImages() {
        return content.skippedTooManyImages();
    }

    /** The taxonomy in use; it also resolves tasks by their source folder. */
    public Taxonomy taxonomy() {
        return taxonomy;
    }

    /** Loaded samples per task, sorted by task. */
    /**
     * Chance level of each task: the mean over its samples of 1/K, K its candidate count (the SDS of a model that
     * cannot tell the candidates apart).
     */
    public Map<String, Double> chanceByTask() {
        Map<String, double[]> sums = new TreeMap<>();
        content.samples().forEach(s -> {
            double[] sum = sums.computeIfAbsent(s.task(), t -> new double[2]);
            sum[0] += 1.0 / Math.max(1, s.candidates().size());
            sum[1]++;
        });
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((task, sum) -> out.put(task, sum[0] / sum[1]));
        return out;
    }

    public Map<String, Integer> countsByTask() {
        return countsByTask;
    }

    /** Deterministic plan for (version, shards); also written to {@code root/.radar} for {@link #loadShard}. */
    public ShardPlan shardPlan(int shards) {
        ShardPlan plan = ShardPlan.plan(version(), samples(), shards);
        ShardIndex.write(root(), plan, content.files());
        return plan;
    }

    /** Images hashed (not taken from the cache) by this load; for tests of the cache. */
    int hashedImages() {
        return content.hashedImages();
    }
}
