package dev.radar.demo;

import dev.radar.FileTrees;
import dev.radar.RadarException;
import dev.radar.Service;
import dev.radar.aggregate.AggregatorService;
import dev.radar.app.Assembly;
import dev.radar.app.Role;
import dev.radar.bench.Benchmark;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.web.WebConfig;


import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded default: every RADAR component in one process on a real in-process Kafka broker, evaluating a
 * training run played from saved checkpoint snapshots of the test model. Tests drive it through this class.
 */
public final class Demo implements Service {
    private static final Pattern STEP = Pattern.compile("(\\d+)\\D*$");

    /** One checkpoint to play: its step and package folder. */
    public record Checkpoint(long step, Path dir) {
    }

    private final DemoConfig config;
    private final PrintStream out;
    private final Map<String, String> overrides;
    private Path dataDir;
    private boolean tempData;
    private Assembly assembly;
    private AggregatorService aggregator;
    private CheckpointPublisher publisher;
    private List<Checkpoint> checkpoints;

    public Demo(DemoConfig config, PrintStream out) {
        this(config, out, Map.of());
    }

    /** @param overrides settings applied over the demo's own (e.g. a test's stagnation thresholds) */
    public Demo(DemoConfig config, PrintStream out, Map<String, String> overrides) {
        this.config = config;
        this.out = out;
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public void start() throws Exception {
        checkpoints = findCheckpoints(config.checkpointsDir(), config.checkpoints());
        tempData = config.dataDir() == null;
        dataDir = tempData ? Files.createTempDirectory("radar-demo-") : Files.createDirectories(config.dataDir());
        out.printf("RADAR demo: %d checkpoints of %s, working folder %s%n", checkpoints.size(),
                config.checkpointsDir(), dataDir);
        Path bench = dataDir.resolve("bench");
        Benchmark benchmark = SyntheticBenchmark.generate(bench, config.samplesPerTask(), 42);
        out.printf("synthetic benchmark: %d samples in %d tasks, version %s%n", benchmark.samples().size(),
                benchmark.countsByTask().size(), benchmark.version().substring(0, 12));

        // The demo's own settings; everything else (wiring, start order, health) is the composition root's.
        RadarProperties props = RadarProperties.load(null).with(Map.ofEntries(
                Map.entry("broker.port", "0"),
                Map.entry("broker.data.dir", dataDir.resolve("kafka").toString()),
                Map.entry("benchmarks.m3-bench.path", bench.toString()),
                // The demo plays only its own checkpoint folder; outside the demo this key must be set by the user.
                Map.entry("planner.allowed.roots", config.checkpointsDir().toAbsolutePath().normalize().toString()),
                Map.entry("planner.samples.per.shard", "8"),
                Map.entry("aggregator.state.dir", dataDir.resolve("aggregator").toString()),
                Map.entry("aggregator.report.interval.ms", "500"),
                Map.entry("metrics.refresh.ms", "1000"),
                Map.entry("scorer.id", "demo-scorer"),
                Map.entry("web.port", String.valueOf(config.webPort())),
                Map.entry("web.bind", WebConfig.LOOPBACK))).with(overrides);
        assembly = Assembly.of(props, Role.demo());
        assembly.start();
        aggregator = assembly.aggregator().orElseThrow();
        // The played training run publishes as a training job would: its own producer.
        publisher = new CheckpointPublisher(assembly.kafka(), "radar-demo");
        out.println("web page: " + webUrl() + "   (metrics: " + webUrl() + "metrics)");
    }

    /** Publishes the checkpoints one by one, {@code intervalMs} apart, as a training job would. */
    public void playTrainingRun() throws InterruptedException {
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            publisher.publish(CheckpointSaved.newBuilder().setRunId(config.runId()).setStep(c.step())
                    .setTokensSeen(c.step() * config.tokensPerStep()).setCheckpointUri(c.dir().toAbsolutePath().toString())
                    .setAttributes(Map.of("source", "radar demo")).build());
            out.printf("training run %s saved checkpoint step %d -> event published%n", config.runId(), c.step());
            if (i + 1 < checkpoints.size()) {
                Thread.sleep(config.intervalMs());
            }
        }
    }

    /** Waits until every played checkpoint has a complete report, printing progress; false on timeout. */
    public boolean awaitCompletion(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            List<AbilityReport> reports = aggregator.reports(config.runId());
            long complete = reports.stream().filter(AbilityReport::getComplete).count();
            StringBuilder line = new StringBuilder("progress:");
            for (AbilityReport r : reports) {
                line.append(String.format(" step %d %3.0f%%", r.getStep(), 100 * r.getProgress()));
            }
            if (!line.toString().equals(last) && !reports.isEmpty()) {
                out.println(line);
                last = line.toString();
            }
            if (complete >= checkpoints.size()) {
                return true;
            }
            Thread.sleep(1000);
        }
        return false;
    }

    /** The ability table of the run: one row per complete checkpoint, SDS (accuracy) per ability; then alerts. */
    public String abilityTable() {
        List<AbilityReport> reports = aggregator.reports(config.runId()).stream().filter(AbilityReport::getComplete).toList();
        TreeSet<String> names = new TreeSet<>((a, b) -> rank(a) != rank(b) ? rank(a) - rank(b) : a.compareTo(b));
        reports.forEach(r -> r.getAbilities().forEach(a -> names.add(a.getName())));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-8s %-12s", "step", "tokens"));
        names.forEach(n -> sb.append(String.format(" %24s", n)));
        sb.append(String.format(" %8s%n", "gap"));
        for (AbilityReport r : reports) {
            sb.append(String.format("%-8d %-12s", r.getStep(), r.getTokensSeen() == null ? "-" : r.getTokensSeen()));
            Map<String, AbilityScore> byName = new LinkedHashMap<>();
            r.getAbilities().forEach(a -> byName.put(a.getName(), a));
            for (String n : names) {
                AbilityScore a = byName.get(n);
                sb.append(a == null ? String.format(" %24s", "-")
                        : String.format(" %15.3f (%5.1f%%)", a.getSds(), 100 * a.getAccuracy()));
            }
            sb.append(String.format(" %8s%n", r.getPerceptionReasoningGap() == null ? "-"
                    : String.format("%.3f", r.getPerceptionReasoningGap())));
        }
        sb.append("SDS (accuracy) per ability at each complete checkpoint.\n");
        for (AbilityAlert a : aggregator.alerts(config.runId())) {
            sb.append(String.format("ALERT %s %s at step %d: %s%n", a.getKind(), a.getAbility(), a.getStep(), a.getMessage()));
        }
        return sb.toString();
    }

    private static int rank(String n) {
        return n.equals("perception") ? 0 : n.equals("reasoning") ? 1 : 2;
    }

    public String webUrl() {
        return assembly.http().orElseThrow().url();
    }

    public String kafkaBootstrap() {
        return assembly.kafka().bootstrapServers();
    }

    /** The demo's components as assembled (health, metrics, HTTP server). */
    public Assembly assembly() {
        return assembly;
    }

    public AggregatorService aggregator() {
        return aggregator;
    }

    public List<Checkpoint> checkpoints() {
        return checkpoints;
    }

    @Override
    public void stop() {
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        if (assembly != null) {
            assembly.stop();
            assembly = null;
        }
        if (tempData && dataDir != null) {
            FileTrees.deleteQuietly(dataDir);
        }
    }

    /** Checkpoint folders under {@code dir} ordered by the step number at the end of their names. */
    static List<Checkpoint> findCheckpoints(Path dir, int limit) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new RadarException("checkpoint folder " + dir.toAbsolutePath() + " not found (run radar demo from the "
                    + "repository root, or pass --checkpoints-dir)");
        }
        List<Checkpoint> found = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isDirectory).toList()) {
                Matcher m = STEP.matcher(p.getFileName().toString());
                if (m.find() && Files.exists(p.resolve("model.pt"))) {
                    found.add(new Checkpoint(Long.parseLong(m.group(1)), p));
                }
            }
        }
        found.sort(java.util.Comparator.comparingLong(Checkpoint::step));
        if (found.isEmpty()) {
            throw new RadarException("no checkpoint folders with a model.pt under " + dir.toAbsolutePath());
        }
        return limit > 0 && limit < found.size() ? found.subList(0, limit) : found;
    }
}
