package dev.radar.kafka;

import dev.radar.events.CheckpointSaved;
import dev.radar.events.EventKeys;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
        List<CheckpointSaved> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(settings.consumer("g-" + run, "test"), topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.currentTimeMillis() + 30_000;
            while (received.size() < sent.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, CheckpointSaved> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().getRunId().equals(run)) {
                        assertEquals(EventKeys.checkpoint(run, r.value().getStep()), r.key());
                        received.add(r.value());
                    }
                }
            }
        }
        received.sort(java.util.Comparator.comparingLong(CheckpointSaved::getStep));
        assertEquals(sent, received);
    }
}
