package dev.radar.kafka;

import dev.radar.events.CheckpointSaved;
import dev.radar.events.EventKeys;
import dev.radar.testing.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Avro records produced and consumed through a real broker; run against the embedded one and a container. */
abstract class KafkaRoundTripContract {

    abstract KafkaSettings settings();

    @Test
    void avroCheckpointEventsRoundTripThroughTheBroker() {
        KafkaSettings settings = settings();
        TopicAdmin.ensureTopics(settings);
        TopicSpec<String, CheckpointSaved> topic = Topics.CHECKPOINTS;
        String run = "roundtrip-" + UUID.randomUUID();
        List<CheckpointSaved> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<>(settings.producer("test"), topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            for (long step = 0; step < 5; step++) {
                CheckpointSaved e = CheckpointSaved.newBuilder().setRunId(run).setStep(step * 1000)
                        .setCheckpointUri("file:///ckpt/" + step).setTokensSeen(step * 4_000_000L).build();
                sent.add(e);
                producer.send(new ProducerRecord<>(topic.name(), EventKeys.checkpoint(run, e.getStep()), e));
            }
        }
        List<CheckpointSaved> received = new ArrayList<>(TopicReader.read(settings, topic,
                e -> e.getRunId().equals(run), sent.size(), Duration.ofSeconds(30)));
        received.sort(java.util.Comparator.comparingLong(CheckpointSaved::getStep));
        assertEquals(sent, received);
    }
}
