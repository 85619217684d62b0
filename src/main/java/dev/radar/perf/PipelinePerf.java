package dev.radar.perf;

import dev.radar.FileTrees;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.metrics.MetricNames;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import dev.radar.scoring.ProgressListener;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.djl.ScoringEngine;
import dev.radar.scoring.worker.ScorerConfig;
import dev.radar.scoring.worker.ScorerService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code radar perf pipeline}: the whole path (embedded broker, planner, one scorer, aggregator, all in this process)
 * against scoring alone ({@code radar score}'s work: load the checkpoint, score every sample) on the same checkpoints
 * and benchmark, in one run, alternating the two per repetition. Pipeline time runs from the first CheckpointSaved
 * published to the last checkpoint's complete AbilityReport; scoring alone loads and scores the same checkpoints one
 * after the other. Both as samples/s and as samples per CPU-second of the whole process (on a loaded host the
 * scheduler's share per runnable thread distorts samples/s). Also reported per repetition: model loads, shards, the
 * scoring thread's idle time between shards and polls that stalled a commit.
 *
 * <p>Each repetition starts a fresh scorer (empty model cache, its own meters) once the planner and aggregator are
 * running, and waits until it has joined its group before the clock starts, so that every repetition loads the
 * checkpoints as scoring alone does.
 */
public final class PipelinePerf {

    /**
     * @param checkpointsDir  folder of checkpoint packages (the first {@code checkpoints} by name are used)
     * @param checkpoints     checkpoints published back to back per repetition
     * @param samplesPerTask  synthetic benchmark size per task (8 tasks)
     * @param samplesPerShard planner.samples.per.shard for the run; null keeps the configured or default shard sizing
     * @param repetitions     alternating (alone, pipeline) pairs
     */
    public record Options(Path checkpointsDir, int checkpoints, int samplesPerTask, Integer samplesPerShard,
                          int repetitions) {
    }

    /** Samples/s and samples per CPU-second of this whole process (libtorch, broker and clients included). */
    private record Rate(double perSecond, double perCpuSecond) {
    }

    private record Repetition(Rate alone, Rate pipeline, long loads, long shards, double idleSeconds,
                              double maxIdleSeconds, long stalledPolls) {
        double ratio() {
            return pipeline.perSecond() / alone.perSecond();
        }

        double cpuRatio() {
            return pipeline.perCpuSecond() / alone.perCpuSecond();
        }
    }

    private final Options options;
    private final RadarProperties base;
    private final PrintStream out;

    public PipelinePerf(Options options, RadarProperties base, PrintStream out) {
        this.options = options;
        this.base = base;
        this.out = out;
    }

    public void run() throws Exception {
        List<Path> checkpoints = checkpoints(options.checkpointsDir(), options.checkpoints());
        Path work = Files.createTempDirectory("radar-perf-pipeline-");
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(work.resolve("kafka"), 0);
        List<AutoCloseable> running = new ArrayList<>();
        try {
            broker.start();
            Path benchDir = work.resolve("bench");
            Benchmark bench = SyntheticBenchmark.generate(benchDir, options.samplesPerTask(), 42);
            List<BenchSample> samples = bench.samples();
            Map<String, String> overrides = new HashMap<>(Map.of(
                    KafkaSettings.BOOTSTRAP, broker.bootstrapServers(),
                    "benchmarks.m3-bench.path", benchDir.toString(),
                    "aggregator.state.dir", work.resolve("aggregator").toString(),
                    "aggregator.application.id", "radar-perf-aggregator"));
            if (options.samplesPerShard() != null) {
                overrides.put("planner.samples.per.shard", String.valueOf(options.samplesPerShard()));
            }
            RadarProperties props = base.with(overrides);
            KafkaSettings kafka = new KafkaSettings(props);
            TopicAdmin.ensureTopics(kafka);
            PlannerService planner = new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry());
            planner.start();
            running.add(planner);
            AggregatorService aggregator = new AggregatorService(kafka, AggregatorConfig.from(props));
            aggregator.start();
            running.add(aggregator);
            CheckpointPublisher publisher = new CheckpointPublisher(kafka, "radar-perf");
            running.add(publisher);
            ScoringConfig scoring = ScoringConfig.from(props);

            out.printf(Locale.ROOT, "radar perf pipeline: %d checkpoint(s) of %s x %d samples, planner.samples.per.shard %s, "
                            + "device %s, %d CPUs, host load average %.2f at start%n", checkpoints.size(),
                    options.checkpointsDir(), samples.size(), options.samplesPerShard() == null ? "default (by cost)"
                            : options.samplesPerShard(), scoring.device(), Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            // Warm-up, not counted: class loading, libtorch start-up, JIT.
            scoreAlone(checkpoints.subList(0, 1), samples.subList(0, Math.min(16, samples.size())), scoring);
            out.println("rep  samples/s: alone  pipeline  ratio   per CPU-s: alone  pipeline  ratio   model loads  shards  "
                    + "model idle between shards (total, longest)  stalled polls");
            List<Repetition> reps = new ArrayList<>();
            for (int r = 1; r <= options.repetitions(); r++) {
                Rate alone = scoreAlone(checkpoints, samples, scoring);
                Repetition rep = pipeline(r, alone, checkpoints, samples.size(), props, kafka, publisher, aggregator);
                reps.add(rep);
                out.printf(Locale.ROOT, "%3d  %16.1f  %8.1f  %5.2f   %16.1f  %8.1f  %5.2f   %11d  %6d  %25.2f s, %.3f s  %13d%n",
                        r, rep.alone().perSecond(), rep.pipeline().perSecond(), rep.ratio(), rep.alone().perCpuSecond(),
                        rep.pipeline().perCpuSecond(), rep.cpuRatio(), rep.loads(), rep.shards(), rep.idleSeconds(),
                        rep.maxIdleSeconds(), rep.stalledPolls());
            }
            double[] ratios = reps.stream().mapToDouble(Repetition::ratio).sorted().toArray();
            double[] cpuRatios = reps.stream().mapToDouble(Repetition::cpuRatio).sorted().toArray();
            out.printf(Locale.ROOT, "pipeline / alone over %d repetition(s): samples/s median %.2f (range %.2f..%.2f), "
                            + "per CPU-second median %.2f (range %.2f..%.2f); host load average %.2f at end%n", ratios.length,
                    ratios[ratios.length / 2], ratios[0], ratios[ratios.length - 1], cpuRatios[cpuRatios.length / 2],
                    cpuRatios[0], cpuRatios[cpuRatios.length - 1],
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
            broker.stop();
            FileTrees.deleteQuietly(work);
        }
        out.flush();
    }

    /** Loading each checkpoint and scoring every sample with it, one checkpoint after the other. */
    private static Rate scoreAlone(List<Path> checkpoints, List<BenchSample> samples, ScoringConfig scoring) {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (Path c : checkpoints) {
            try (Scorer s = ScoringEngine.open(c, scoring)) {
                s.score(samples, ProgressListener.NONE);
            }
        }
        return rate((double) checkpoints.size() * samples.size(), System.nanoTime() - t0, processCpuNanos() - cpu0);
    }

    private static Rate rate(double samples, long wallNanos, long cpuNanos) {
        return new Rate(samples * 1e9 / wallNanos, samples * 1e9 / Math.max(1, cpuNanos));
    }

    /**
     * CPU time of the whole process. On a shared host the scheduler gives a process a share per runnable thread, so
     * samples/s compares the two setups unfairly under load; samples per CPU-second does not.
     */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private Repetition pipeline(int rep, Rate alone, List<Path> checkpoints, int samplesPerCheckpoint,
                                RadarProperties props, KafkaSettings kafka, CheckpointPublisher publisher,
                                AggregatorService aggregator) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RadarProperties p = props.with("scorer.id", "perf-scorer-" + rep);
        ScorerConfig scorerConfig = ScorerConfig.from(p);
        ScorerService scorer = new ScorerService(new KafkaSettings(p), scorerConfig, meters);
        scorer.start();
        try {
            awaitJoined(kafka, scorerConfig.groupId());
            String run = "perf-rep-" + rep + "-" + System.currentTimeMillis();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < checkpoints.size(); i++) {
                publisher.publish(CheckpointSaved.newBuilder().setRunId(run).setStep(100L * (i + 1))
                        .setCheckpointUri(checkpoints.get(i).toAbsolutePath().toString()).build());
            }
            long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(30);
            while (aggregator.reports(run).stream().filter(AbilityReport::getComplete).count() < checkpoints.size()) {
                if (System.currentTimeMillis() > deadline || !scorer.healthy()) {
                    throw new IllegalStateException("pipeline repetition " + rep + " did not complete: "
                            + aggregator.reports(run).stream().filter(AbilityReport::getComplete).count() + " of "
                            + checkpoints.size() + " checkpoints complete" + (scorer.healthy() ? " in 30 min" : ", scorer stopped"));
                }
                Thread.sleep(10);
            }
            Rate rate = rate(checkpoints.size() * (double) samplesPerCheckpoint, System.nanoTime() - t0,
                    processCpuNanos() - cpu0);
            var idle = meters.get(MetricNames.SCORER_MODEL_IDLE).timer();
            return new Repetition(alone, rate,
                    (long) meters.get(MetricNames.SCORER_MODEL_LOAD).timer().count(),
                    meters.get(MetricNames.SCORER_SHARD_LATENCY).timer().count(),
                    idle.totalTime(TimeUnit.NANOSECONDS) / 1e9, idle.max(TimeUnit.NANOSECONDS) / 1e9,
                    (long) meters.get(MetricNames.SCORER_STALLED_POLLS).counter().count());
        } finally {
            scorer.stop();
        }
    }

    /** Waits until the scorer group is stable with one member: its join must not count as pipeline time. */
    private static void awaitJoined(KafkaSettings kafka, String groupId) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        try (Admin admin = Admin.create(kafka.admin())) {
            while (System.currentTimeMillis() < deadline) {
                ConsumerGroupDescription d;
                try {
                    d = admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                        throw e;
                    }
                    Thread.sleep(50); // not created until the scorer's first join
                    continue;
                }
                if (d.groupState() == GroupState.STABLE && d.members().size() == 1
                        && !d.members().iterator().next().assignment().topicPartitions().isEmpty()) {
                    return;
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("scorer did not join group " + groupId + " within 60 s");
    }

    private static List<Path> checkpoints(Path dir, int count) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new dev.radar.RadarException("checkpoint folder " + dir.toAbsolutePath() + " not found (run from the "
                    + "repository root, or pass --checkpoints-dir)");
        }
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = s.filter(Files::isDirectory).sorted().toList();
        }
        if (all.isEmpty() || count < 1) {
            throw new dev.radar.RadarException("need at least one checkpoint folder under " + dir + " and --checkpoints >= 1");
        }
        return all.subList(0, Math.min(count, all.size()));
    }
}
