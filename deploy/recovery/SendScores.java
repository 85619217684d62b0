import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.TaskExpectation;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;
import java.util.Map;

/**
 * Sends complete evaluations (plan + scores) straight to the aggregator's input topics, so that a recovery measurement
 * has state to restore without planner and scorers. Usage: java -cp CP SendScores.java BOOTSTRAP RUN STEPS SAMPLES
 */
public class SendScores {
    public static void main(String[] args) {
        KafkaSettings kafka = KafkaSettings.of(args[0]);
        String run = args[1];
        int steps = Integer.parseInt(args[2]);
        int samples = Integer.parseInt(args[3]);
        String version = "recovery-bench-v1";
        TopicAdmin.ensureTopics(kafka);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("recovery-sender"))) {
            for (int s = 1; s <= steps; s++) {
                long step = s * 1000L;
                String key = EventKeys.checkpoint(run, step);
                String evaluationId = EventKeys.evaluationId(run, step, version);
                send(producer, Topics.EVALUATIONS, key, EvaluationPlanned.newBuilder().setEvaluationId(evaluationId)
                        .setRunId(run).setStep(step).setCheckpointUri("file:///none").setBenchmark("m3-bench")
                        .setBenchmarkVersion(version).setShardCount(1).setExpectedSamples(samples)
                        .setTasks(List.of(TaskExpectation.newBuilder().setTask("Wiki_colour_identification")
                                .setSource("Wiki").setAbility("perception").setFineAbility("identification")
                                .setExpectedSamples(samples).build()))
                        .setExpectedByAbility(Map.of("perception", samples)).build());
                for (int i = 0; i < samples; i++) {
                    send(producer, Topics.SAMPLE_SCORES, key, SampleScore.newBuilder().setEvaluationId(evaluationId)
                            .setRunId(run).setStep(step).setBenchmarkVersion(version)
                            .setTask("Wiki_colour_identification").setSource("Wiki").setAbility("perception")
                            .setFineAbility("identification").setSampleId("q" + i).setSds(0.5).setCorrect(true).build());
                }
            }
            producer.flush();
        }
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(new ProducerRecord<>(topic.name(), topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value)));
    }
}
