package dev.radar.cli;

import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** `radar publish` as a training job calls it, against the real embedded broker. */
@Tag("integration")
class PublishCommandTest {

    @Test
    void publishesACheckpointEventThatConsumersRead() {
        KafkaSettings settings = TestBroker.settings();
        String run = "publish-" + UUID.randomUUID();
        int rc = RadarCli.execute("publish", "--run", run, "--step", "2000", "--checkpoint", "/ckpt/2000",
                "--tokens", "8000000", "--attr", "data_mix=web70", "-b", settings.bootstrapServers());
        assertEquals(0, rc);
        assertEquals(2, RadarCli.execute("publish", "--run", run, "--step", "-1", "--checkpoint", "/x",
                "-b", settings.bootstrapServers()), "a negative step is refused before sending");

        var t = Topics.CHECKPOINTS;
        CheckpointSaved found = null;
        try (var consumer = new KafkaConsumer<>(settings.consumer("g-" + run, "test"), t.keySerde().deserializer(),
                t.valueSerde().deserializer())) {
            consumer.subscribe(List.of(t.name()));
            long deadline = System.currentTimeMillis() + 20_000;
            while (found == null && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, CheckpointSaved> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().getRunId().equals(run)) {
                        found = r.value();
                    }
                }
            }
        }
        assertNotNull(found);
        assertEquals(2000, found.getStep());
        assertEquals(8_000_000L, found.getTokensSeen());
        assertEquals("web70", found.getAttributes().get("data_mix"));
    }
}
