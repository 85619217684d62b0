package dev.radar.cli;

import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import dev.radar.testing.TopicReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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

        CheckpointSaved found = TopicReader.read(settings, Topics.CHECKPOINTS, e -> e.getRunId().equals(run), 1,
                Duration.ofSeconds(20)).stream().findFirst().orElse(null);
        assertNotNull(found);
        assertEquals(2000, found.getStep());
        assertEquals(8_000_000L, found.getTokensSeen());
        assertEquals("web70", found.getAttributes().get("data_mix"));
    }

    @Test
    void aRelativeCheckpointPathIsSentAbsoluteAsResolvedWhereTheUserRanTheCommand() {
        KafkaSettings settings = TestBroker.settings();
        String run = "publish-rel-" + UUID.randomUUID();
        assertEquals(0, RadarCli.execute("publish", "--run", run, "--step", "3", "--checkpoint", "ckpt/../ckpt/step-3",
                "-b", settings.bootstrapServers()));
        CheckpointSaved found = TopicReader.read(settings, Topics.CHECKPOINTS, e -> e.getRunId().equals(run), 1,
                Duration.ofSeconds(20)).get(0);
        assertEquals(java.nio.file.Path.of("ckpt/step-3").toAbsolutePath().toString(), found.getCheckpointUri());
        assertEquals("file:/ckpt/4", PublishCommand.absolute("file:/ckpt/4"), "URIs pass unchanged");
    }
}
