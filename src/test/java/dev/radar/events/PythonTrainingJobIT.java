package dev.radar.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.checkpoint.CheckpointConfig;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.Topics;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import dev.radar.scoring.worker.ScorerConfig;
import dev.radar.scoring.worker.ScorerService;
import dev.radar.testing.RepoFiles;
import dev.radar.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Python training job as users run one (clients/python/examples/train_tiny_hf.py: a tiny random Qwen2-VL of the
 * real class trained by a real {@code transformers.Trainer} with the RADAR callback attached, saving twice)
 * publishes to the embedded broker through the Python client. The Java side decodes both events, and the pipeline
 * (planner, scorer, aggregator) evaluates both raw checkpoint folders through one architecture package made once
 * from the run's initial checkpoint: both reports complete, and every sample's SDS equals the Python reference
 * scorer's on that checkpoint (|dSDS| <= 1e-4).
 *
 * <p>Needs the pinned Python environment ({@code .venv}, models/setup-venv.sh); without it the test is skipped,
 * unless RADAR_REQUIRE_PY_GOLDENS=1 (CI) makes that a failure.
 */
@Tag("integration")
class PythonTrainingJobIT {

    static final String FAMILY = "qwen2-vl";
    static final double TOLERANCE = 1e-4;
    /** The benchmark with one record of every source layout, which the reference scorer reads as well. */
    static final Path BENCH = RepoFiles.path("models/golden/prompts/bench");

    @TempDir
    static Path out;
    /** A broker of its own: the planner here reads radar.checkpoints from the start, and must see only this run. */
    static EmbeddedKafkaBroker broker;
    static Path python;
    static String run;
    static Path runDir;

    @BeforeAll
    static void trainAndPublish() throws Exception {
        python = RepoFiles.path(".venv/bin/python");
        if (!Files.isExecutable(python)) {
            String reason = python + " is missing: create it with `bash models/setup-venv.sh`";
            if ("1".equals(System.getenv("RADAR_REQUIRE_PY_GOLDENS"))) {
                fail(reason + " (RADAR_REQUIRE_PY_GOLDENS=1)");
            }
            Assumptions.abort(reason);
        }
        broker = new EmbeddedKafkaBroker();
        broker.start();
        TopicAdmin.ensureTopics(kafka());
        run = "py-job-" + UUID.randomUUID().toString().substring(0, 8);
        runDir = out.resolve("run");
        python("training job", "clients/python/examples/train_tiny_hf.py", "--family", FAMILY,
                "--out", runDir.toString(), "--run", run, "--bootstrap", broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    static KafkaSettings kafka() {
        return KafkaSettings.of(broker.bootstrapServers());
    }

    @Test
    void eventsOfTheTrainerCallbackDecodeInJava() {
        List<CheckpointSaved> events = events();
        assertEquals(List.of(2L, 4L), events.stream().map(CheckpointSaved::getStep).toList());
        CheckpointValidator validator = new CheckpointValidator(List.of(out));
        for (CheckpointSaved e : events) {
            Path folder = runDir.resolve("checkpoint-" + e.getStep());
            assertEquals(folder.toString(), e.getCheckpointUri());
            assertEquals(e.getStep() * 2 * 16, e.getTokensSeen(), "tokens: steps x batch 2 x 16 tokens");
            assertEquals(Map.of("source", "train_tiny_hf.py", "family", FAMILY), e.getAttributes());
            assertEquals("m3-bench", e.getBenchmark());
            assertTrue(e.getPublishedAtMs() > 1_700_000_000_000L, "publishedAtMs " + e.getPublishedAtMs());
            assertTrue(Files.isRegularFile(folder.resolve("model.safetensors")), folder + " holds the weights");
            assertEquals(Optional.empty(), validator.check(e));
        }
    }

    @Test
    void bothCheckpointsAreEvaluatedWithTheReferenceScores() throws Exception {
        // Once per architecture, not per checkpoint: the package made from the run's initial checkpoint.
        Path architectures = out.resolve("architectures");
        python("architecture export", "models/export_hf.py", "--architecture", "--family", FAMILY,
                "--checkpoint", runDir.resolve("init").toString(), "--out", architectures.resolve(FAMILY).toString(),
                "--dtype", "float32");
        RadarProperties props = kafka().properties().with(Map.of(
                "benchmarks.m3-bench.path", BENCH.toString(),
                "planner.samples.per.shard", "8",
                "planner.allowed.roots", out.toString(),
                "scorer.id", "scorer-" + run,
                "scorer.poll.ms", "50",
                "aggregator.state.dir", out.resolve("aggregator").toString(),
                "aggregator.report.interval.ms", "500",
                CheckpointConfig.ARCHITECTURES, architectures.toString()));
        KafkaSettings kafka = new KafkaSettings(props);
        PlannerService planner = new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry());
        ScorerService scorer = new ScorerService(kafka, ScorerConfig.from(props), new SimpleMeterRegistry());
        try (AggregatorService aggregator = new AggregatorService(kafka, AggregatorConfig.from(props))) {
            planner.start();
            scorer.start();
            aggregator.start();
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(8).toMillis();
            while (aggregator.reports(run).stream().filter(AbilityReport::getComplete).count() < 2) {
                if (System.currentTimeMillis() > deadline) {
                    fail("reports of " + run + " not complete: " + aggregator.reports(run));
                }
                Thread.sleep(500);
            }
        } finally {
            scorer.stop();
            planner.stop();
        }

        List<SampleScore> scores = TopicReader.read(kafka(), Topics.SAMPLE_SCORES,
                s -> s.getRunId().equals(run), 1, Duration.ofSeconds(30));
        List<String> problems = new ArrayList<>();
        Map<Long, Double> meanSds = new HashMap<>();
        for (long step : new long[]{2, 4}) {
            Path reference = out.resolve("reference-" + step + ".jsonl");
            python("reference scorer", "models/reference_scorer.py", "--family", FAMILY, "--model",
                    runDir.resolve("checkpoint-" + step).toString(), "--bench", BENCH.toString(),
                    "--out", reference.toString());
            Map<String, Double> want = new HashMap<>();
            for (String line : Files.readAllLines(reference)) {
                JsonNode n = new ObjectMapper().readTree(line);
                want.put(n.get("key").asText(), n.get("sds").asDouble());
            }
            List<SampleScore> got = scores.stream().filter(s -> s.getStep() == step && s.getFailure() == null).toList();
            assertEquals(want.size(), got.size(), "samples scored at step " + step);
            double maxDiff = 0;
            for (SampleScore s : got) {
                String key = s.getTask() + "/" + s.getSampleId();
                Double ref = want.get(key);
                double diff = ref == null ? Double.NaN : Math.abs(ref - s.getSds());
                if (!(diff <= TOLERANCE)) {
                    problems.add(String.format(Locale.ROOT, "step %d %s: SDS %.8f vs reference %s", step, key,
                            s.getSds(), ref));
                }
                maxDiff = Math.max(maxDiff, ref == null ? 0 : diff);
            }
            System.out.printf(Locale.ROOT, "%s step %d: %d samples, max |SDS - reference| = %.3e%n", run, step,
                    got.size(), maxDiff);
            meanSds.put(step, got.stream().mapToDouble(SampleScore::getSds).average().orElseThrow());
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertNotEquals(meanSds.get(2L), meanSds.get(4L), "each checkpoint is scored with its own weights");
    }

    private static List<CheckpointSaved> events() {
        return TopicReader.read(kafka(), Topics.CHECKPOINTS, e -> e.getRunId().equals(run), 2,
                        Duration.ofSeconds(60)).stream()
                .sorted(Comparator.comparingLong(CheckpointSaved::getStep)).toList();
    }

    /** Runs a repository Python script with the pinned environment; fails with its output's tail. */
    private static void python(String what, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python.toString(), RepoFiles.path(script).toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(out, "python-", ".log");
        Process p = new ProcessBuilder(command).directory(RepoFiles.root().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(what + " still running after 10 min:\n" + tail(log));
        }
        assertEquals(0, p.exitValue(), what + " failed:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
