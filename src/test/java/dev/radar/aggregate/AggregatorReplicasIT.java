package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.EventKeys;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two aggregator replicas of one application on the embedded broker: each owns part of the partitions, and each
 * answers every query with the full view (its own stores plus the other's, asked at its application.server).
 */
@Tag("integration")
class AggregatorReplicasIT {
    private static final String VERSION = "replica-version-0123456789";

    @TempDir
    Path stateA;
    @TempDir
    Path stateB;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static RadarProperties replica(String appId, Path stateDir, int port) {
        return TestBroker.settings().properties().with(Map.of(
                "aggregator.application.id", appId,
                "aggregator.state.dir", stateDir.toString(),
                "aggregator.replica.endpoint", "127.0.0.1:" + port,
                "aggregator.report.interval.ms", "100"));
    }

    @Test
    void twoReplicasEachAnswerWithTheFullView() throws Exception {
        String appId = "radar-aggregator-replicas-it-" + UUID.randomUUID();
        String prefix = "replica-run-" + UUID.randomUUID() + "-";
        RadarProperties propsA = replica(appId, stateA, freePort());
        RadarProperties propsB = replica(appId, stateB, freePort());
        KafkaSettings kafka = new KafkaSettings(propsA);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            runs.add(prefix + i); // 8 runs over 6 partitions: both replicas own some
        }
        try (AggregatorService a = new AggregatorService(kafka, AggregatorConfig.from(propsA));
             AggregatorService b = new AggregatorService(new KafkaSettings(propsB), AggregatorConfig.from(propsB));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("replicas-it-producer"))) {
            a.start();
            b.start();
            for (int i = 0; i < runs.size(); i++) {
                String run = runs.get(i);
                String key = EventKeys.checkpoint(run, 1000);
                send(producer, Topics.EVALUATIONS, key, plan(run, 1000, VERSION, Map.of(COLOURS, 1, COUNTING, 1)));
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, VERSION, COLOURS, "c", 0.5 + i / 100.0, true));
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, VERSION, COUNTING, "n", 0.25, false));
            }
            producer.flush();

            long deadline = System.currentTimeMillis() + 90_000;
            while (!(complete(a, runs) && complete(b, runs))) {
                assertTrue(System.currentTimeMillis() < deadline,
                        "both replicas should see every run complete; A sees " + a.runs().size() + ", B " + b.runs().size());
                Thread.sleep(200);
            }
            List<String> localA = a.local().runs().stream().filter(r -> r.startsWith(prefix)).toList();
            List<String> localB = b.local().runs().stream().filter(r -> r.startsWith(prefix)).toList();
            assertFalse(localA.isEmpty() || localB.isEmpty(), "each replica owns part: A " + localA + ", B " + localB);
            assertEquals(runs.size(), localA.size() + localB.size(), "the local views are disjoint");

            for (int i = 0; i < runs.size(); i++) {
                String run = runs.get(i);
                AbilityReport fromA = a.latestComplete(run).orElseThrow();
                assertEquals(fromA, b.latestComplete(run).orElseThrow());
                assertEquals(0.5 + i / 100.0, fromA.getTasks().stream()
                        .filter(t -> t.getName().equals(COLOURS.name())).findFirst().orElseThrow().getSds(), 1e-9);
                assertEquals(a.reports(run), b.reports(run));
                assertEquals(a.history(run), b.history(run));
                assertEquals(1, b.history(run).size());
            }
            // Curves sit behind a repartition topic: wait for them, then both replicas give the same.
            for (String run : runs) {
                while (a.curves(run).isEmpty() || b.curves(run).isEmpty()) {
                    assertTrue(System.currentTimeMillis() < deadline, "curves of " + run);
                    Thread.sleep(100);
                }
                assertEquals(a.curves(run), b.curves(run));
                assertEquals(0.25, a.curves(run).get("reasoning").get(0).sds(), 1e-9);
            }
        }
    }

    private static boolean complete(AggregatorService service, List<String> runs) {
        for (String run : runs) {
            if (service.latestComplete(run).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(topic.record(key, value));
    }
}
