package dev.radar.aggregate;

import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.testing.TopicReader;
import dev.radar.testing.Waits;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.radar.aggregate.TestEvents.COLOURS;
import static dev.radar.aggregate.TestEvents.COUNTING;
import static dev.radar.aggregate.TestEvents.plan;
import static dev.radar.aggregate.TestEvents.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The aggregator as a real exactly-once Kafka Streams app on the embedded broker, queries included. */
@Tag("integration")
class AggregatorServiceIT {

    @TempDir
    Path stateDir;

    private static final String VERSION = "it-version-0123456789";

    /** Settings of a fresh aggregator (own application id, the test's state folder) on the shared test broker. */
    private RadarProperties aggregatorProperties(Map<String, String> extra) {
        return TestBroker.settings().properties().with(Map.of(
                "aggregator.application.id", "radar-aggregator-it-" + UUID.randomUUID(),
                "aggregator.state.dir", stateDir.toString())).with(extra);
    }

    @Test
    void planAndScoresOnTheBrokerGiveACompleteReportAndQueriesAnswer() throws Exception {
        String run = "it-run-" + UUID.randomUUID();
        String version = VERSION;
        RadarProperties props = aggregatorProperties(Map.of());
        KafkaSettings kafka = new KafkaSettings(props);

        try (AggregatorService service = new AggregatorService(kafka, AggregatorConfig.from(props));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("it-producer"))) {
            service.start();
            assertTrue(service.running());
            EvaluationPlanned p = plan(run, 1000, version, Map.of(COLOURS, 3, COUNTING, 2));
            send(producer, Topics.EVALUATIONS, EventKeys.checkpoint(run, 1000), p);
            double[] sds = {0.9, 0.8, 0.7};
            for (int i = 0; i < 3; i++) {
                SampleScore s = score(run, 1000, version, COLOURS, "c" + i, sds[i], true);
                send(producer, Topics.SAMPLE_SCORES, EventKeys.checkpoint(run, 1000), s);
                send(producer, Topics.SAMPLE_SCORES, EventKeys.checkpoint(run, 1000), s); // a duplicate
            }
            send(producer, Topics.SAMPLE_SCORES, EventKeys.checkpoint(run, 1000), score(run, 1000, version, COUNTING, "n0", 0.3, false));
            send(producer, Topics.SAMPLE_SCORES, EventKeys.checkpoint(run, 1000), score(run, 1000, version, COUNTING, "n1", 0.5, true));
            producer.flush();

            AbilityReport complete = awaitCompleteReport(kafka, EventKeys.report(run, 1000, version));
            assertEquals(1.0, complete.getProgress(), 1e-12);
            assertEquals(0.8 - 0.4, complete.getPerceptionReasoningGap(), 1e-9);

            assertTrue(service.runs().contains(run));
            AbilityReport latest = service.latestComplete(run).orElseThrow();
            assertEquals(1000, latest.getStep());
            assertEquals(List.of(1000L), service.reports(run).stream().map(AbilityReport::getStep).toList());
            // The curve tracker sits behind a repartition topic: its point comes after the report.
            Waits.until("the curve point of " + run, Duration.ofSeconds(30), () -> !service.curves(run).isEmpty());
            assertEquals(0.8, service.curves(run).get("perception").get(0).sds(), 1e-9);
            assertTrue(service.alerts(run).isEmpty());
        }
    }

    @Test
    void countsSurviveARestartThatRebuildsTheStateFromTheChangelogs() throws Exception {
        String run = "it-restart-" + UUID.randomUUID();
        String version = VERSION;
        RadarProperties props = aggregatorProperties(Map.of("aggregator.report.interval.ms", "100"));
        KafkaSettings kafka = new KafkaSettings(props);
        int n = SeenSamples.CHUNK + 6;
        int before = 40;
        String key = EventKeys.checkpoint(run, 1000);
        try (AggregatorService service = new AggregatorService(kafka, AggregatorConfig.from(props));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("it-producer"))) {
            service.start();
            send(producer, Topics.EVALUATIONS, key, plan(run, 1000, version, Map.of(COLOURS, n)));
            for (int i = 0; i < before; i++) {
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, version, COLOURS, "q" + i, 0.5, true));
            }
            producer.flush();
            long deadline = System.currentTimeMillis() + 30_000;
            while (service.reports(run).isEmpty() || service.reports(run).get(0).getProgress() < (double) before / n) {
                assertTrue(System.currentTimeMillis() < deadline, "the first " + before + " samples were not counted");
                Thread.sleep(50);
            }
            service.stop();
            dev.radar.FileTrees.deleteQuietly(stateDir); // nothing local left: the changelogs must bring it all back
            service.start();
            for (int i = 0; i < n; i++) {
                // The first ones again, with another SDS: counted twice they would move the mean.
                send(producer, Topics.SAMPLE_SCORES, key, score(run, 1000, version, COLOURS, "q" + i, i < before ? 0.9 : 0.5, true));
            }
            producer.flush();
            AbilityReport complete = awaitCompleteReport(kafka, EventKeys.report(run, 1000, version));
            AbilityScore colours = complete.getTasks().get(0);
            assertEquals(n, colours.getSamples());
            assertEquals(0.5, colours.getSds(), 1e-9);
        }
    }

    private static <V> void send(KafkaProducer<byte[], byte[]> producer, TopicSpec<String, V> topic, String key, V value) {
        producer.send(topic.record(key, value));
    }

    /** The first complete report of {@code key} (a report key: run, step, benchmark version) on radar.ability-reports. */
    private static AbilityReport awaitCompleteReport(KafkaSettings kafka, String key) {
        List<AbilityReport> complete = TopicReader.read(kafka, Topics.ABILITY_REPORTS, r -> r.getComplete()
                && EventKeys.report(r.getRunId(), r.getStep(), r.getBenchmarkVersion()).equals(key), 1, Duration.ofSeconds(60));
        if (complete.isEmpty()) {
            throw new AssertionError("no complete report for " + key + " within 60 s");
        }
        return complete.get(0);
    }
}
