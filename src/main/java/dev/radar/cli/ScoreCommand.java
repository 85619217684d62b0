package dev.radar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.aggregate.MacroAverage;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.scoring.SampleResult;
import dev.radar.scoring.ScoreSummary;
import dev.radar.scoring.Scorer;
import dev.radar.scoring.ScoringConfig;
import dev.radar.scoring.djl.ScoringEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code radar score}: scores one checkpoint package on a benchmark, locally, and prints per-task/ability SDS. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Scores a scoring package (model.pt, tokenizer.json, radar-model.json) on an M3-Bench-layout "
                + "benchmark: progress on stderr, per-task and per-ability SDS and accuracy on stdout, per-sample JSONL.")
public final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Scoring package directory.")
    Path model;

    @Option(names = "--bench", required = true, paramLabel = "DIR", description = "Benchmark root (M3-Bench layout).")
    Path bench;

    @Option(names = "--strategy", paramLabel = "packed|per-candidate",
            description = "Overrides scoring.strategy (default packed).")
    String strategy;

    @Option(names = "--limit", paramLabel = "N", description = "Score only the first N samples.")
    Integer limit;

    @Option(names = "--out", paramLabel = "FILE.jsonl", description = "Write one JSON line per sample.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Map<String, String> explicit = new HashMap<>();
        if (strategy != null) {
            explicit.put("scoring.strategy", strategy);
        }
        ScoringConfig cfg = ScoringConfig.from(config.load(explicit));
        Benchmark b = Benchmark.load(bench);
        List<BenchSample> samples = b.samples();
        if (limit != null && limit >= 0 && limit < samples.size()) {
            samples = samples.subList(0, limit);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "benchmark %s version %s: %d samples (%d problems); strategy %s, device %s%n",
                b.root(), b.version(), samples.size(), b.problems().size(), cfg.strategy().label(), cfg.device());
        List<SampleResult> results;
        long t0 = System.nanoTime();
        try (Scorer scorer = ScoringEngine.open(model, cfg)) {
            results = scorer.score(samples, (done, total) -> {
                double s = (System.nanoTime() - t0) / 1e9;
                err.printf(Locale.ROOT, "\rscored %d/%d (%.1f samples/s)", done, total, done / Math.max(s, 1e-9));
                err.flush();
            });
        }
        err.println();
        if (out != null) {
            writeJsonl(out, samples, results);
            err.println("wrote " + out);
        }
        Map<String, String> abilityOfTask = new HashMap<>();
        Map<String, String> sourceOfTask = new HashMap<>();
        List<ScoreSummary.Group> tasks = ScoreSummary.byKey(results, SampleResult::task);
        tasks.forEach(g -> {
            abilityOfTask.put(g.name(), b.taxonomy().abilityOf(g.name()).ability());
            sourceOfTask.put(g.name(), b.taxonomy().abilityOf(g.name()).source());
        });
        print(stdout, "task", tasks);
        // Multi-category sources (MMBench, MMMU-Pro) are macro-averaged over their categories (README, "Aggregation and stagnation alerts").
        print(stdout, "source (macro over categories)", macro(tasks, sourceOfTask::get));
        print(stdout, "ability (macro over tasks)", macro(tasks, abilityOfTask::get));
        ScoreSummary.Group all = ScoreSummary.of("all", results);
        print(stdout, "overall", List.of(all));
        results.stream().filter(r -> !r.success()).limit(10).forEach(r -> err.println("failed: " + r.failure()));
        stdout.flush();
        return all.failed() == all.samples() && all.samples() > 0 ? 1 : 0;
    }

    /** The task groups macro-averaged by {@code parentOf} (the rule: {@link MacroAverage}). */
    static List<ScoreSummary.Group> macro(List<ScoreSummary.Group> tasks, Function<String, String> parentOf) {
        return MacroAverage.groups(tasks, g -> parentOf.apply(g.name()), g -> g.samples() > g.failed()).stream()
                .map(m -> new ScoreSummary.Group(m.name(), m.total(ScoreSummary.Group::samples),
                        m.total(ScoreSummary.Group::failed), m.mean(ScoreSummary.Group::sds),
                        m.mean(ScoreSummary.Group::accuracy), m.mean(ScoreSummary.Group::llAccuracy),
                        m.mean(ScoreSummary.Group::llNormAccuracy)))
                .toList();
    }

    static void print(PrintWriter w, String what, List<ScoreSummary.Group> groups) {
        w.printf(Locale.ROOT, "%-32s %7s %6s %7s %7s %7s %7s%n", what, "samples", "failed", "SDS", "acc", "ll-acc", "lln-acc");
        for (ScoreSummary.Group g : groups) {
            w.printf(Locale.ROOT, "%-32s %7d %6d %7.4f %7.4f %7.4f %7.4f%n", g.name(), g.samples(), g.failed(), g.sds(),
                    g.accuracy(), g.llAccuracy(), g.llNormAccuracy());
        }
    }

    /** The reference code's per-sample fields (snake_case), plus our extra metrics. */
    static void writeJsonl(Path file, List<BenchSample> samples, List<SampleResult> results) throws IOException {
        ObjectMapper json = new ObjectMapper();
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < results.size(); i++) {
                SampleResult r = results.get(i);
                ObjectNode o = json.createObjectNode();
                o.put("id", r.id());
                o.put("task", r.task());
                o.put("key", r.key());
                ArrayNode cands = o.putArray("candidates");
                samples.get(i).candidates().forEach(cands::add);
                o.put("success", r.success());
                if (r.success()) {
                    o.put("sds", r.sds());
                    o.put("correct", r.correct());
                    o.put("ll_correct", r.llCorrect());
                    o.put("ll_norm_correct", r.llNormCorrect());
                    ArrayNode p = o.putArray("probabilities");
                    for (double v : r.probabilities()) {
                        p.add(v);
                    }
                    ArrayNode m = o.putArray("mean_logits");
                    for (double v : r.meanLogits()) {
                        m.add(v);
                    }
                    ArrayNode t = o.putArray("token_logits");
                    for (double[] cand : r.tokenLogits()) {
                        ArrayNode c = t.addArray();
                        for (double v : cand) {
                            c.add(v);
                        }
                    }
                } else {
                    o.put("error", r.failure());
                }
                o.put("millis", r.millis());
                w.write(json.writeValueAsString(o));
                w.newLine();
            }
        }
    }
}
