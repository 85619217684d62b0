package dev.radar.perf;

import dev.radar.bench.BenchSample;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.scoring.ProgressListener;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.djl.ScoringEngine;
import dev.radar.scoring.ScoringStats;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code radar perf scoring}: samples/s of the per-candidate and packed strategies on the same samples, in one
 * run, their ratio, how much of the wall time is spent outside the model forward, and how far their SDS differ.
 */
public final class ScoringPerf {

    /** Where the tiny test model's snapshots are, relative to the repository root. */
    public static final Path DEFAULT_MODELS = Path.of("models", "tiny-mllm", "checkpoints");

    /**
     * @param model   scoring package; null for the last tiny-mllm checkpoint
     * @param samples samples scored per strategy
     * @param rounds  alternating timed rounds per strategy; the best is kept
     */
    public record Options(Path model, int samples, int rounds) {
    }

    private ScoringPerf() {
    }

    /** Runs the measurement and prints the report to {@code out}. */
    public static void run(Options options, ScoringConfig base, PrintWriter out) throws IOException {
        int samples = options.samples();
        int rounds = options.rounds();
        Path model = options.model();
        Path dir = model != null ? model : latest(DEFAULT_MODELS);
        Path tmp = Files.createTempDirectory("radar-perf-scoring");
        try {
            int perTask = Math.max(1, (samples + SyntheticBenchmark.tasks().size() - 1) / SyntheticBenchmark.tasks().size());
            List<BenchSample> all = SyntheticBenchmark.generate(tmp, perTask, 42).samples();
            List<BenchSample> bench = all.subList(0, Math.min(samples, all.size()));
            try (Scorer packed = ScoringEngine.open(dir, base.withStrategy(ScoringConfig.Strategy.PACKED));
                 Scorer perCand = ScoringEngine.open(dir, base.withStrategy(ScoringConfig.Strategy.PER_CANDIDATE))) {
                // Warm-up: libtorch allocators, JIT profiling, class loading.
                List<BenchSample> warm = bench.subList(0, Math.min(8, bench.size()));
                packed.score(warm, ProgressListener.NONE);
                perCand.score(warm, ProgressListener.NONE);
                Run bestPer = null;
                Run bestPacked = null;
                for (int r = 0; r < rounds; r++) {
                    bestPer = best(bestPer, run(perCand, bench));
                    bestPacked = best(bestPacked, run(packed, bench));
                }
                double maxDiff = 0;
                for (int i = 0; i < bench.size(); i++) {
                    SampleResult a = bestPacked.results.get(i);
                    SampleResult b = bestPer.results.get(i);
                    if (a.success() && b.success()) {
                        maxDiff = Math.max(maxDiff, Math.abs(a.sds() - b.sds()));
                    }
                }
                Integer perImage = packed.modelConfig().tokensPerImage();
                // Contract-2 families decide visual tokens per image from its size (Qwen2-VL, InternVL tiles).
                String imageTokens = perImage == null ? "family " + packed.modelConfig().family() + " visual tokens"
                        : perImage + " image tokens per prompt";
                out.printf(Locale.ROOT, "model %s (%s), device %s, %d samples, %d candidates each, %s, "
                                + "%.0f tokens per per-candidate row (prompt + 1 candidate), batch tokens %d, cores %d%n",
                        dir, packed.modelConfig().name(), base.device(), bench.size(), bench.get(0).candidates().size(),
                        imageTokens, (double) bestPer.stats.tokens() / bestPer.stats.rows(),
                        base.batchTokens(), Runtime.getRuntime().availableProcessors());
                print(out, "per-candidate", bestPer);
                print(out, "packed", bestPacked);
                out.printf(Locale.ROOT, "packed / per-candidate throughput: %.2fx wall-clock, %.2fx per CPU-second   "
                                + "max |SDS packed - SDS per-candidate| = %.2e   (host load average %.2f)%n",
                        bestPacked.stats.samplesPerSecond() / bestPer.stats.samplesPerSecond(),
                        bestPacked.samplesPerCpuSecond() / bestPer.samplesPerCpuSecond(), maxDiff,
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
        } finally {
            dev.radar.FileTrees.delete(tmp);
        }
        out.flush();
    }

    /** cpuNanos: CPU time of the whole process (libtorch threads included), robust against other load on the host. */
    private record Run(ScoringStats stats, List<SampleResult> results, long cpuNanos) {
        double samplesPerCpuSecond() {
            return stats.samples() * 1e9 / Math.max(1, cpuNanos);
        }
    }

    private static Run run(Scorer s, List<BenchSample> samples) {
        long cpu0 = processCpuNanos();
        List<SampleResult> r = s.score(samples, ProgressListener.NONE);
        return new Run(s.lastStats(), r, processCpuNanos() - cpu0);
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private static Run best(Run a, Run b) {
        return a == null || b.stats.wallNanos() < a.stats.wallNanos() ? b : a;
    }

    private static void print(PrintWriter out, String name, Run run) {
        ScoringStats s = run.stats;
        out.printf(Locale.ROOT, "%-14s %7.2f samples/s (%6.2f per CPU-s)  wall %6.2f s  forward %6.2f s  outside model %5.1f%%  "
                        + "(input tensors %4.1f%%, prep on prefetch thread %5.2f s)  rows %d  batches %d  tokens %d%n",
                name, s.samplesPerSecond(), run.samplesPerCpuSecond(), s.wallNanos() / 1e9, s.forwardNanos() / 1e9,
                100 * s.outsideModelShare(), 100.0 * s.inputNanos() / s.wallNanos(), s.prepNanos() / 1e9, s.rows(),
                s.batches(), s.tokens());
    }

    /** The last (by name) checkpoint folder under {@code checkpoints}. */
    public static Path latest(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            throw new dev.radar.RadarException("no --model given and " + checkpoints + " not found (run from the repository root)");
        }
        try (Stream<Path> s = Files.list(checkpoints)) {
            return s.filter(Files::isDirectory).max(Comparator.naturalOrder())
                    .orElseThrow(() -> new dev.radar.RadarException("no checkpoint under " + checkpoints));
        }
    }
}
