package dev.radar.aggregate;

import dev.radar.app.Assembly;
import dev.radar.app.Role;
import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.EventKeys;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import dev.radar.testing.Waits;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two aggregator replicas of one application on the embedded broker, each a process assembled as in production
 * (role aggregator: Kafka Streams plus the one HTTP server, which also answers the other replica at
 * {@code /replica/...}): each owns part of the partitions, and each answers every query with the full view (its own
 * stores plus the other's, asked at its application.server); a replica gone without leaving the group is answered
 * from the other's standby copies.
 */
@Tag("integration")
class AggregatorReplicasIT {
    private static final String VERSION = "replica-version-0123456789";
    /** Long enough that the group cannot rebalance while the test reads right after stopping a replica. */
    private static final String SESSION_TIMEOUT_MS = "45000";

    @TempDir
    Path stateA;
    @TempDir
    Path stateB;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One replica: its web server's port is the replica endpoint's, as the README asks. */
    private static Assembly replica(String appId, String instance, Path stateDir) throws IOException {
        int port = freePort();
        RadarProperties props = TestBroker.settings().properties().with(Map.of(
                "aggregator.application.id", appId,
                "aggregator.state.dir", stateDir.toString(),
                "aggregator.instance.id", instance,
                "aggregator.session.timeout.ms", SESSION_TIMEOUT_MS,
                "aggregator.replica.endpoint", "127.0.0.1:" + port,
                "web.port", Integer.toString(port),
                "aggregator.report.interval.ms", "100"));
        return Assembly.of(props, Set.of(Role.AGGREGATOR));
    }

    /** 8 runs over 6 partitions, so both replicas own some; each run has one complete step. */
    private static List<String> sendRuns(KafkaSettings kafka, String prefix) {
        List<String> runs = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("replicas-it-producer"))) {
            for (int i = 0; i < 8; i++) {
                String run = prefix + i;
                runs.add(run);
                String key = EventKeys.checkpoint(run, 1000);
                send(producer, Topics.EVALUATIONS, key, plan(run, 1000, VERSION, Map.of(COLOURS, 1, COUNTING, 1)));
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, VERSION, COLOURS, "c", 0.5 + i / 100.0, true));
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, VERSION, COUNTING, "n", 0.25, false));
            }
            producer.flush();
        }
        return runs;
    }

    /** Two started replicas of one new application, A and B, and the 8 runs sent to them (each test its own ids). */
    private record Replicas(Assembly processA, Assembly processB, AggregatorService a, AggregatorService b,
                            String prefix, List<String> runs) implements AutoCloseable {
        static Replicas start(String name, Path stateA, Path stateB) throws Exception {
            String appId = "radar-aggregator-" + name + "-it-" + UUID.randomUUID();
            String prefix = name + "-run-" + UUID.randomUUID() + "-";
            Assembly processA = replica(appId, name + "-a", stateA);
            Assembly processB = replica(appId, name + "-b", stateB);
            try {
                processA.start();
                processB.start();
                return new Replicas(processA, processB, processA.aggregator().orElseThrow(),
                        processB.aggregator().orElseThrow(), prefix, sendRuns(processA.kafka(), prefix));
            } catch (Exception e) {
                try (processA; processB) {
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            try (processA; processB) {
                // both closed, B first, even when one close fails
            }
        }
    }

    @Test
    void twoReplicasEachAnswerWithTheFullView() throws Exception {
        try (Replicas replicas = Replicas.start("replica", stateA, stateB)) {
            AggregatorService a = replicas.a();
            AggregatorService b = replicas.b();
            List<String> runs = replicas.runs();
            String prefix = replicas.prefix();

            Waits.until("both replicas to see every run complete", Duration.ofSeconds(90),
                    () -> complete(a, runs) && complete(b, runs));
            List<String> localA = ownRuns(a, prefix);
            List<String> localB = ownRuns(b, prefix);
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
                Waits.until("the curves of " + run + " on both replicas", Duration.ofSeconds(60),
                        () -> !a.curves(run).isEmpty() && !b.curves(run).isEmpty());
                assertEquals(a.curves(run), b.curves(run));
                assertEquals(0.25, a.curves(run).get("reasoning").get(0).sds(), 1e-9);
            }

            // The replica questions are GET-only and never need the write token; a missing run is the asker's bug.
            String base = replicas.processB().http().orElseThrow().url() + "replica/";
            assertEquals(405, status(HttpRequest.newBuilder(URI.create(base + "reports?run=" + runs.get(0)))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")));
            assertEquals(400, status(HttpRequest.newBuilder(URI.create(base + "reports")).GET()));
            assertEquals(200, status(HttpRequest.newBuilder(URI.create(base + "reports?run=" + runs.get(0))).GET()));
        }
    }

    @Test
    void aReplicaGoneWithoutLeavingTheGroupIsAnsweredFromStandbysAtOnce() throws Exception {
        try (Replicas replicas = Replicas.start("standby", stateA, stateB)) {
            AggregatorService a = replicas.a();
            AggregatorService b = replicas.b();
            List<String> runs = replicas.runs();
            String prefix = replicas.prefix();

            // Wait until the full view is complete and A's standby copies of B's tasks have caught up.
            Waits.until("A's full view and its standby copies to hold every run complete", Duration.ofSeconds(90),
                    () -> complete(a, runs) && complete(a.withStandbys(), runs));
            List<String> ownedByB = ownRuns(b, prefix);
            assertFalse(ownedByB.isEmpty(), "B owns part of the runs");
            Map<String, List<AbilityReport>> before = new HashMap<>();
            for (String run : runs) {
                before.put(run, a.reports(run));
            }

            // Static members close without leaving the group: B's tasks stay B's until the session timeout, and its
            // HTTP server is gone, as after kill -9 (except that its state is checkpointed).
            replicas.processB().stop();

            for (String run : runs) {
                assertEquals(before.get(run), a.reports(run), "reports of " + run + " right after B stopped");
                assertTrue(a.latestComplete(run).isPresent(), run);
            }
            assertTrue(a.runs().containsAll(runs), "runs right after B stopped: " + a.runs());
            // The answers above came from standbys: the group has not moved B's tasks to A yet.
            assertEquals(1, a.otherReplicas().size(), "B is still a member (no rebalance yet)");
            List<String> activeOnA = ownRuns(a, prefix);
            assertTrue(ownedByB.stream().noneMatch(activeOnA::contains),
                    "B's runs are not active on A yet: " + ownedByB + " vs " + activeOnA);
        }
    }

    /**
     * The test's runs on the replica's own active tasks, once its stores answer: a follow-up rebalance (standby
     * copies caught up) can make them unqueryable for a moment, and these reads go to the stores directly.
     */
    private static List<String> ownRuns(AggregatorService replica, String prefix) throws InterruptedException {
        AtomicReference<List<String>> runs = new AtomicReference<>();
        Waits.until("the replica's own stores to answer", Duration.ofSeconds(30), () -> {
            try {
                runs.set(replica.local().runs().stream().filter(r -> r.startsWith(prefix)).toList());
                return true;
            } catch (InvalidStateStoreException e) {
                return false;
            }
        });
        return runs.get();
    }

    private static int status(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static boolean complete(AbilityQueries queries, List<String> runs) {
        for (String run : runs) {
            if (queries.latestComplete(run).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(topic.record(key, value));
    }
}
