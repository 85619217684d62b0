package dev.radar.watch;

import dev.radar.cli.RadarCli;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

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

    /** Every record of this run on {@code topic}, read from the beginning until {@code done} or 30 s. */
    private <T> List<T> read(String topic, Class<T> type, Predicate<List<T>> done, Duration settle) throws Exception {
        var serde = topic.equals(Topics.CHECKPOINTS.name()) ? Topics.CHECKPOINTS.valueSerde() : Topics.DEAD_LETTERS.valueSerde();
        List<T> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumer("watch-it-" + UUID.randomUUID(), "watch-it"))) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Object v = serde.deserializer().deserialize(topic, r.value());
                    String runId = v instanceof CheckpointSaved c ? c.getRunId() : ((DeadLetter) v).getRunId();
                    if (run.equals(runId)) {
                        out.add(type.cast(v));
                    }
                }
                if (settleUntil == Long.MAX_VALUE && done.test(out)) {
                    settleUntil = System.nanoTime() + settle.toNanos();  // keep reading: duplicates would show here
                }
            }
        }
        return out;
    }

    private static List<Long> steps(List<CheckpointSaved> events) {
        return events.stream().map(CheckpointSaved::getStep).sorted().toList();
    }

    @Test
    void publishesEachCompleteCheckpointOnceAcrossARestart() throws Exception {
        folder("step-001000", "model.pt", "radar-ready");
        folder("checkpoint-2000", "model.pt");          // no marker: complete once its size is stable
        folder("step-003000", "tokenizer.json");        // incomplete: never published
        folder("latest", "model.pt", "COMPLETE");       // no step in the name: dead-lettered, not skipped

        try (CheckpointWatcher w = watcher()) {
            w.start();
            List<CheckpointSaved> first = read(Topics.CHECKPOINTS.name(), CheckpointSaved.class, l -> l.size() >= 2,
                    Duration.ofSeconds(3));
            assertEquals(List.of(1000L, 2000L), steps(first));
            CheckpointSaved e = first.stream().filter(c -> c.getStep() == 1000).findFirst().orElseThrow();
            assertEquals(dir.resolve("step-001000").toAbsolutePath().toString(), e.getCheckpointUri());
            assertEquals("m3-bench", e.getBenchmark());
        }
        List<DeadLetter> letters = read(Topics.DEAD_LETTERS.name(), DeadLetter.class, l -> !l.isEmpty(), Duration.ofSeconds(1));
        assertEquals(1, letters.size());
        assertEquals("unparseable-step", letters.get(0).getReason());
        assertEquals("watcher", letters.get(0).getComponent());
        assertTrue(letters.get(0).getDetail().contains("latest"));

        // Restarted: only the new folder is published; nothing earlier again, the bad folder not reported again.
        folder("step-004000", "model.pt", "COMPLETE");
        try (CheckpointWatcher w = watcher()) {
            w.start();
            List<CheckpointSaved> all = read(Topics.CHECKPOINTS.name(), CheckpointSaved.class, l -> l.size() >= 3,
                    Duration.ofSeconds(3));
            assertEquals(List.of(1000L, 2000L, 4000L), steps(all));
            assertEquals(1, w.published());
        }
        assertEquals(1, read(Topics.DEAD_LETTERS.name(), DeadLetter.class, l -> !l.isEmpty(), Duration.ofSeconds(1)).size());
        String state = Files.readString(dir.resolve(".radar-published"));
        assertTrue(state.contains("step-001000\t1000") && state.contains("latest\t-"), state);
    }

    @Test
    void cliRejectsAMissingFolder() {
        assertTrue(RadarCli.execute("watch", "--dir", dir.resolve("nope").toString(), "--run", run,
                "-b", kafka.bootstrapServers()) != 0);
    }
}
