package dev.radar.planner;

import dev.radar.bench.Benchmark;
import dev.radar.bench.ShardPlan;
import dev.radar.bench.TaskAbility;
import dev.radar.checkpoint.ArchitecturePackages;
import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.ShardTask;
import dev.radar.events.TaskExpectation;
import dev.radar.scoring.ModelConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns one CheckpointSaved into an evaluation plan, with no Kafka in sight (the service does the I/O):
 * validate, resolve the benchmark and its content version, skip what was already evaluated, split into shards.
 */
public final class Planner {

    /** What became of one event. */
    public sealed interface Outcome permits Planned, Duplicate, Rejected {
    }

    public record Planned(EvaluationPlanned evaluation, List<ShardTask> shards) implements Outcome {
    }

    public record Duplicate(String evaluationId) implements Outcome {
    }

    public record Rejected(String reason, String detail) implements Outcome {
    }

    private final PlannerConfig config;
    private final CheckpointValidator validator;
    private final Map<Path, Benchmark> benchmarks = new ConcurrentHashMap<>();
    private final Set<String> evaluated = new HashSet<>();

    public Planner(PlannerConfig config) {
        this.config = config;
        // Content (scoring package, or raw HF checkpoint with an architecture package) is checked where the
        // folder is required to exist, so a checkpoint that cannot be loaded is one dead letter, never planned.
        this.validator = config.requireCheckpointExists()
                ? CheckpointValidator.withContent(config.allowedRoots(),
                        new ArchitecturePackages(CheckpointConfig.from(config.props()).architectures()))
                : new CheckpointValidator(config.allowedRoots());
    }

    /** Records an evaluation already planned (read back from radar.evaluations on start-up). */
    public synchronized void remember(EvaluationPlanned e) {
        evaluated.add(dedupeKey(e.getRunId(), e.getStep(), e.getBenchmarkVersion()));
    }

    /** Undoes {@link #remember} for a plan whose transaction was aborted, so the retried event is planned again. */
    public synchronized void forget(EvaluationPlanned e) {
        evaluated.remove(dedupeKey(e.getRunId(), e.getStep(), e.getBenchmarkVersion()));
    }

    public synchronized Outcome plan(CheckpointSaved event) {
        Optional<CheckpointValidator.Rejection> invalid = validator.check(event);
        if (invalid.isPresent()) {
            return new Rejected(invalid.get().reason(), invalid.get().detail());
        }
        Path checkpoint = CheckpointValidator.toPath(event.getCheckpointUri());
        Optional<Path> benchPath = config.benchmarkPath(event.getBenchmark());
        if (benchPath.isEmpty()) {
            return new Rejected("unknown-benchmark", "benchmark '" + event.getBenchmark()
                    + "' is not configured (set benchmarks." + event.getBenchmark() + ".path)");
        }
        Benchmark bench;
        try {
            bench = benchmarks.computeIfAbsent(benchPath.get().toAbsolutePath().normalize(), Benchmark::load);
        } catch (RuntimeException e) {
            return new Rejected("benchmark-unreadable", "benchmark '" + event.getBenchmark() + "' at "
                    + benchPath.get() + ": " + e.getMessage());
        }
        if (bench.samples().isEmpty()) {
            return new Rejected("benchmark-empty", "benchmark '" + event.getBenchmark() + "' has no loadable samples");
        }
        String version = bench.version();
        String key = dedupeKey(event.getRunId(), event.getStep(), version);
        String evaluationId = EventKeys.evaluationId(event.getRunId(), event.getStep(), version);
        if (evaluated.contains(key) && !event.getReevaluate()) {
            return new Duplicate(evaluationId);
        }
        if (event.getReevaluate()) {
            // A re-evaluation gets its own id, so its scores are not deduplicated against the first run's.
            evaluationId = evaluationId + "-r" + System.currentTimeMillis();
        }
        evaluated.add(key);
        return build(event, bench, evaluationId, checkpoint);
    }

    private Planned build(CheckpointSaved event, Benchmark bench, String evaluationId, Path checkpoint) {
        long now = System.currentTimeMillis();
        List<TaskExpectation> tasks = new ArrayList<>();
        Map<String, Integer> byAbility = new TreeMap<>();
        int total = 0;
        Map<String, Double> chance = bench.chanceByTask();
        for (Map.Entry<String, Integer> e : new TreeMap<>(bench.countsByTask()).entrySet()) {
            TaskAbility ability = bench.taxonomy().abilityOf(e.getKey());
            tasks.add(TaskExpectation.newBuilder().setTask(e.getKey()).setSource(ability.source())
                    .setAbility(ability.ability()).setFineAbility(ability.fineAbility())
                    .setExpectedSamples(e.getValue()).setChance(chance.getOrDefault(e.getKey(), 0.0)).build());
            byAbility.merge(ability.ability(), e.getValue(), Integer::sum);
            if (!ability.fineAbility().isEmpty()) {
                byAbility.merge(ability.fineAbility(), e.getValue(), Integer::sum);
            }
            total += e.getValue();
        }
        int visualTokens = visualTokensPerImage(checkpoint);
        long tokens = bench.samples().stream().mapToLong(s -> ShardPlan.costOf(s, visualTokens)).sum();
        ShardPlan plan = bench.shardPlan(config.shardsFor(total, tokens));
        EvaluationPlanned evaluation = EvaluationPlanned.newBuilder()
                .setEvaluationId(evaluationId).setRunId(event.getRunId()).setStep(event.getStep())
                .setTokensSeen(event.getTokensSeen()).setCheckpointUri(checkpoint.toString())
                .setBenchmark(event.getBenchmark()).setBenchmarkVersion(bench.version())
                .setShardCount(plan.shardCount()).setExpectedSamples(total).setTasks(tasks)
                .setExpectedByAbility(byAbility).setAttributes(event.getAttributes()).setPlannedAtMs(now).build();
        List<ShardTask> shards = new ArrayList<>();
        for (ShardPlan.Shard s : plan.shards()) {
            shards.add(ShardTask.newBuilder().setEvaluationId(evaluationId).setRunId(event.getRunId())
                    .setStep(event.getStep()).setTokensSeen(event.getTokensSeen())
                    .setCheckpointUri(checkpoint.toString()).setModelFormat(event.getModelFormat())
                    .setBenchmark(event.getBenchmark()).setBenchmarkVersion(bench.version())
                    .setBenchmarkUri(bench.root().toAbsolutePath().toString()).setShardIndex(s.index())
                    .setShardCount(plan.shardCount()).setSampleCount(s.sampleKeys().size()).setAttempt(0)
                    .setPlannedAtMs(now).build());
        }
        return new Planned(evaluation, shards);
    }

    /**
     * Visual tokens per image of the checkpoint's family at most (its radar-model.json), for the shard count: Qwen2-VL
     * its pixel budget over 28x28 patches, InternVL3.5 its tiles plus thumbnail, LLaVA-OneVision its fixed count,
     * contract 1 its tokens per tile times tiles. {@link ShardPlan#DEFAULT_VISUAL_TOKENS} when the package does not
     * say (the scorer reports what is wrong with it).
     */
    static int visualTokensPerImage(Path checkpoint) {
        try {
            ModelConfig c = ModelConfig.read(checkpoint.resolve(ModelConfig.FILE));
            if (!c.realArchitecture()) {
                return c.tokensPerImage() * c.image().tilesPerImage();
            }
            ModelConfig.Vision v = c.vision();
            return switch (c.family()) {
                case "qwen2-vl" -> v.maxPixels() / (v.patchSize() * v.mergeSize() * v.patchSize() * v.mergeSize());
                case "internvl3.5" -> v.tokensPerTile()
                        * (v.maxTiles() + (Boolean.TRUE.equals(v.thumbnail()) && v.maxTiles() > 1 ? 1 : 0));
                case "llava-onevision" -> v.tokensPerImage();
                default -> ShardPlan.DEFAULT_VISUAL_TOKENS;
            };
        } catch (RuntimeException e) {
            return ShardPlan.DEFAULT_VISUAL_TOKENS;
        }
    }

    private static String dedupeKey(String run, long step, String version) {
        return run + "/" + step + "/" + version;
    }
}
