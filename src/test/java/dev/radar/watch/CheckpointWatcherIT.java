package dev.radar.watch;

import dev.radar.cli.RadarCli;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import dev.radar.testing.TopicReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watcher against a real broker: each complete folder published once, across a restart. */
@Tag("integration")
class CheckpointWatcherIT {
    @TempDir
    Path dir;

    private final String run = "watch-it-" + UUID.randomUUID();
    private final KafkaSettings kafka = TestBroker.settings();

    private CheckpointWatcher watcher() {
        return new CheckpointWatcher(WatchConfig.from(RadarProperties.of(Map.of(
                "watch.dir", dir.toString(), "watch.run", run, "watch.poll.seconds", "1"))), kafka);
    }

    private void folder(String name, String... files) throws Exception {
        Path f = Files.createDirectories(dir.resolve(name));
        for (String file : files) {
            Files.writeString(f.resolve(file), "weights");
        }
    }

    @Test
    void publishesEachCompleteCheckpointOnceAcrossARestart() throws Exception {
        folder("step-001000", "model.pt", "radar-ready");
        folder("checkpoint-2000", "model.pt");          // no marker: complete once its size is stable
        folder("step-003000", "tokenizer.json");        // incomplete: never published
        folder("latest", "model.pt", "COMPLETE");       // no step in the name: dead-lettered, not skipped

        try (CheckpointWatcher w = watcher()) {
            w.start();
            List<CheckpointSaved> first = TopicReader.read(kafka, Topics.CHECKPOINTS, this::ours, 2, Duration.ofSeconds(30));
            assertEquals(List.of(1000L, 2000L), steps(first));
            CheckpointSaved e = first.stream().filter(c -> c.getStep() == 1000).findFirst().orElseThrow();
            assertEquals(dir.resolve("step-001000").toAbsolutePath().toString(), e.getCheckpointUri());
            assertEquals("m3-bench", e.getBenchmark());
            // Folders that appear later mark the end: by the time they are reported, any repeat of the earlier
            // ones (a later poll publishing them again) would have been sent before them.
            folder("step-002500", "model.pt", "COMPLETE");
            folder("best", "model.pt", "COMPLETE");
            assertEquals(List.of(1000L, 2000L, 2500L), steps(checkpointsThrough(2500)));
            assertEquals(List.of("latest", "best"), badFoldersThrough("best"));
        }
        DeadLetter letter = TopicReader.read(kafka, Topics.DEAD_LETTERS, d -> run.equals(d.getRunId()), 1,
                Duration.ofSeconds(30)).get(0);
        assertEquals("unparseable-step", letter.getReason());
        assertEquals("watcher", letter.getComponent());

        // Restarted: only the new folders are published; nothing earlier again, the bad folders not reported again.
        folder("step-004000", "model.pt", "COMPLETE");
        try (CheckpointWatcher w = watcher()) {
            w.start();
            assertEquals(List.of(1000L, 2000L, 2500L, 4000L), steps(checkpointsThrough(4000)));
            folder("step-005000", "model.pt", "COMPLETE");
            folder("last", "model.pt", "COMPLETE");
            assertEquals(List.of(1000L, 2000L, 2500L, 4000L, 5000L), steps(checkpointsThrough(5000)));
            assertEquals(List.of("latest", "best", "last"), badFoldersThrough("last"));
            assertEquals(2, w.published());
        }
        String state = Files.readString(dir.resolve(".radar-published"));
        assertTrue(state.contains("step-001000\t1000") && state.contains("latest\t-"), state);
    }

    private static List<Long> steps(List<CheckpointSaved> events) {
        return events.stream().map(CheckpointSaved::getStep).sorted().toList();
    }

    private boolean ours(CheckpointSaved c) {
        return run.equals(c.getRunId());
    }

    /** This run's checkpoints, read up to the one of {@code step} and on to the end of every partition. */
    private List<CheckpointSaved> checkpointsThrough(long step) {
        return TopicReader.readThrough(kafka, Topics.CHECKPOINTS, this::ours, c -> c.getStep() == step,
                Duration.ofSeconds(30));
    }

    /** The folder names of this run's dead letters (one partition: its key is the run), in order, up to the one naming {@code folder}. */
    private List<String> badFoldersThrough(String folder) {
        List<DeadLetter> letters = TopicReader.readThrough(kafka, Topics.DEAD_LETTERS, d -> run.equals(d.getRunId()),
                d -> d.getDetail().contains("'" + folder + "'"), Duration.ofSeconds(30));
        // The source of a watcher's dead letter is "folder:" and the folder's path.
        return letters.stream().map(d -> Path.of(d.getSourceTopic().substring("folder:".length())).getFileName().toString())
                .toList();
    }

    @Test
    void cliRejectsAMissingFolder() {
        assertTrue(RadarCli.execute("watch", "--dir", dir.resolve("nope").toString(), "--run", run,
                "-b", kafka.bootstrapServers()) != 0);
    }
}
