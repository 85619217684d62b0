package dev.radar.events;

import dev.radar.kafka.Topics;
import dev.radar.planner.CheckpointValidator;
import dev.radar.testing.RepoFiles;
import dev.radar.testing.TestBroker;
import dev.radar.testing.TopicReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Python training job as users run one (clients/python/examples/train_tiny_hf.py: a tiny random Qwen2-VL of the
 * real class trained by a real {@code transformers.Trainer} with the RADAR callback, saving twice) publishes to
 * the embedded broker through the Python client, and the Java side reads both events with its own serde: the
 * client's bytes, key and fields are what the planner expects.
 *
 * <p>Needs the pinned Python environment ({@code .venv}, models/setup-venv.sh); without it the test is skipped,
 * unless RADAR_REQUIRE_PY_GOLDENS=1 (CI) makes that a failure.
 */
@Tag("integration")
class PythonTrainingJobIT {

    @TempDir
    Path out;

    @Test
    void eventsOfTheTrainerCallbackDecodeInJava() throws Exception {
        Path python = RepoFiles.path(".venv/bin/python");
        if (!Files.isExecutable(python)) {
            String reason = python + " is missing: create it with `bash models/setup-venv.sh`";
            if ("1".equals(System.getenv("RADAR_REQUIRE_PY_GOLDENS"))) {
                fail(reason + " (RADAR_REQUIRE_PY_GOLDENS=1)");
            }
            Assumptions.abort(reason);
        }
        String run = "py-job-" + UUID.randomUUID().toString().substring(0, 8);
        Path log = out.resolve("train.log");
        Process job = new ProcessBuilder(python.toString(), RepoFiles.path("clients/python/examples/train_tiny_hf.py").toString(),
                "--family", "qwen2-vl", "--out", out.resolve("run").toString(), "--run", run,
                "--bootstrap", TestBroker.get().bootstrapServers())
                .directory(RepoFiles.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!job.waitFor(10, TimeUnit.MINUTES)) {
            job.destroyForcibly();
            fail("training job still running after 10 min:\n" + tail(log));
        }
        assertEquals(0, job.exitValue(), "training job failed:\n" + tail(log));

        List<CheckpointSaved> events = TopicReader.read(TestBroker.settings(), Topics.CHECKPOINTS,
                e -> e.getRunId().equals(run), 2, Duration.ofSeconds(60)).stream()
                .sorted(Comparator.comparingLong(CheckpointSaved::getStep)).toList();
        assertEquals(List.of(2L, 4L), events.stream().map(CheckpointSaved::getStep).toList());
        CheckpointValidator validator = new CheckpointValidator(List.of(out));
        for (CheckpointSaved e : events) {
            Path folder = out.resolve("run").resolve("checkpoint-" + e.getStep());
            assertEquals(folder.toString(), e.getCheckpointUri());
            assertEquals(e.getStep() * 2 * 16, e.getTokensSeen(), "tokens: steps x batch 2 x 16 tokens");
            assertEquals(Map.of("source", "train_tiny_hf.py", "family", "qwen2-vl"), e.getAttributes());
            assertEquals("radar-torchscript", e.getModelFormat());
            assertEquals("m3-bench", e.getBenchmark());
            assertTrue(e.getPublishedAtMs() > 1_700_000_000_000L, "publishedAtMs " + e.getPublishedAtMs());
            assertTrue(Files.isRegularFile(folder.resolve("model.safetensors")), folder + " holds the weights");
            assertEquals(java.util.Optional.empty(), validator.check(e));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
