package dev.radar.kafka;

import dev.radar.RadarException;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.cli.RadarCli;
import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.AbilityScore;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.planner.PlannerConfig;
import dev.radar.planner.PlannerService;
import dev.radar.scoring.worker.ScorerConfig;
import dev.radar.scoring.worker.ScorerService;
import dev.radar.testing.LogCapture;
import dev.radar.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every RADAR component against a broker that only speaks SASL_PLAINTEXT with SCRAM-SHA-512, configured only
 * through {@code kafka.*} keys: with the right credentials a checkpoint is published, planned, scored with the real
 * tiny TorchScript model and aggregated into a complete report; with a wrong password, an unknown user or no
 * credentials each component fails with an error that says so instead of retrying. Its own broker: the shared
 * test broker is PLAINTEXT.
 */
@Tag("integration")
class SaslScramIT {
    private static final String USER = "radar";
    private static final String PASSWORD = "radar-" + UUID.randomUUID();
    private static final int SAMPLES_PER_TASK = 2; // 8 synthetic tasks -> 16 samples
    private static final int EXPECTED = 8 * SAMPLES_PER_TASK;
    private static final Path CHECKPOINT = Path.of("models/tiny-mllm/checkpoints/step-000100").toAbsolutePath();
    /** The SCRAM failure the broker reports, for a wrong password and an unknown user alike. */
    private static final String AUTH_FAILED = "Authentication failed during authentication due to invalid credentials"
            + " with SASL mechanism SCRAM-SHA-512";

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    /** Everything but credentials. */
    static RadarProperties base;

    @BeforeAll
    static void startSaslBroker() {
        broker = EmbeddedKafkaBroker.withScramUsers(Map.of(USER, PASSWORD));
        broker.start();
        Path bench = dir.resolve("bench");
        SyntheticBenchmark.generate(bench, SAMPLES_PER_TASK, 5);
        base = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, broker.bootstrapServers(),
                "benchmarks.m3-bench.path", bench.toString(),
                "planner.samples.per.shard", "4",
                "scorer.poll.ms", "50",
                "aggregator.report.interval.ms", "100"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    private static RadarProperties as(String user, String password) {
        return base.with(EmbeddedKafkaBroker.scramClientSettings(user, password));
    }

    private static RadarProperties aggregatorOf(RadarProperties props) {
        return props.with(Map.of("aggregator.application.id", "radar-aggregator-sasl-" + UUID.randomUUID(),
                "aggregator.state.dir", dir.resolve("aggregator-" + UUID.randomUUID()).toString()));
    }

    @Test
    void withCredentialsACheckpointIsPublishedPlannedScoredAndAggregated() {
        RadarProperties props = as(USER, PASSWORD);
        KafkaSettings kafka = new KafkaSettings(props);
        String run = "sasl-run-" + UUID.randomUUID();
        PlannerService planner = new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry());
        ScorerService scorer = new ScorerService(kafka, ScorerConfig.from(props.with("scorer.id", "sasl-scorer")),
                new SimpleMeterRegistry());
        RadarProperties aggregatorProps = aggregatorOf(props);
        try (AggregatorService aggregator = new AggregatorService(new KafkaSettings(aggregatorProps),
                AggregatorConfig.from(aggregatorProps));
             CheckpointPublisher publisher = new CheckpointPublisher(kafka, "sasl-publish")) {
            planner.start();
            scorer.start();
            aggregator.start();
            publisher.publish(CheckpointSaved.newBuilder().setRunId(run).setStep(100)
                    .setCheckpointUri(CHECKPOINT.toString()).build());

            EvaluationPlanned plan = TopicReader.read(kafka, Topics.EVALUATIONS, e -> e.getRunId().equals(run), 1,
                    Duration.ofSeconds(60)).stream().findFirst().orElseThrow(() -> new AssertionError("not planned"));
            assertEquals(EXPECTED, plan.getExpectedSamples());
            List<SampleScore> scores = TopicReader.read(kafka, Topics.SAMPLE_SCORES,
                    s -> s.getEvaluationId().equals(plan.getEvaluationId()), EXPECTED, Duration.ofSeconds(120));
            assertEquals(EXPECTED, scores.size(), "every sample scored");
            assertTrue(scores.stream().allMatch(s -> s.getFailure() == null), "no sample failed: " + scores);

            String reportKey = EventKeys.report(run, 100, plan.getBenchmarkVersion());
            AbilityReport report = TopicReader.read(kafka, Topics.ABILITY_REPORTS,
                    r -> r.getRunId().equals(run) && r.getComplete(), 1, Duration.ofSeconds(60))
                    .stream().findFirst().orElseThrow(() -> new AssertionError("no complete report " + reportKey));
            assertEquals(1.0, report.getProgress(), 1e-12);
            // The per-task SDS of the report is the mean of the scorer's sample SDS values: the numbers went through.
            Map<String, Double> meanByTask = scores.stream().collect(Collectors.groupingBy(
                    s -> s.getTask().toString(), TreeMap::new, Collectors.averagingDouble(SampleScore::getSds)));
            Map<String, Double> reported = report.getTasks().stream().collect(Collectors.toMap(
                    t -> t.getName().toString(), AbilityScore::getSds, (a, b) -> a, TreeMap::new));
            assertEquals(meanByTask.keySet(), reported.keySet());
            meanByTask.forEach((task, mean) -> assertEquals(mean, reported.get(task), 1e-9, task));
            assertTrue(report.getTasks().stream().allMatch(t -> t.getSamples() == SAMPLES_PER_TASK),
                    "samples per task: " + report.getTasks());
        } finally {
            scorer.stop();
            planner.stop();
        }
    }

    @Test
    void aWrongPasswordOrAnUnknownUserFailsEveryComponentWithTheAuthenticationError() throws Exception {
        for (RadarProperties props : List.of(as(USER, "not-the-password"), as("nobody", PASSWORD))) {
            KafkaSettings kafka = new KafkaSettings(props);

            RadarException publish;
            try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, "sasl-publish-denied")) {
                publish = assertThrows(RadarException.class, () -> publisher.publish(CheckpointSaved.newBuilder()
                        .setRunId("denied").setStep(1).setCheckpointUri(CHECKPOINT.toString()).build()));
            }
            assertTrue(publish.getMessage().contains(AUTH_FAILED), publish.getMessage());

            PlannerService planner = new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry());
            RadarException plannerError = assertThrows(RadarException.class, planner::start);
            assertTrue(plannerError.getMessage().contains(AUTH_FAILED), plannerError.getMessage());

            RadarProperties aggregatorProps = aggregatorOf(props);
            try (AggregatorService aggregator = new AggregatorService(new KafkaSettings(aggregatorProps),
                    AggregatorConfig.from(aggregatorProps))) {
                RadarException aggregatorError = assertThrows(RadarException.class, aggregator::start);
                assertTrue(aggregatorError.getMessage().contains(AUTH_FAILED), aggregatorError.getMessage());
            }

            // Without topic creation the Streams client itself meets the broker first. Its threads used to be
            // replaced after each refusal until start() gave up after 60 s in REBALANCING; now the client stops at
            // the first one (or, where start-up lists the topics first, that listing fails with the refusal).
            RadarProperties noCreate = aggregatorOf(props.with("topics.create", "false"));
            try (LogCapture log = LogCapture.of(AggregatorService.class);
                 AggregatorService aggregator = new AggregatorService(new KafkaSettings(noCreate),
                         AggregatorConfig.from(noCreate))) {
                RadarException aggregatorError = assertThrows(RadarException.class, aggregator::start);
                String logged = String.join("\n", log.errors());
                assertTrue(LogCapture.chain(aggregatorError).contains(AUTH_FAILED)
                        || aggregatorError.getMessage().contains("state ERROR")
                        && logged.contains("aggregator refused by Kafka") && logged.contains(AUTH_FAILED),
                        aggregatorError + " logged: " + logged);
            }

            // The scorer starts without contacting the broker; its loop must then end (so that `radar scorer`
            // exits non-zero) with the authentication error logged, not retry.
            String id = "sasl-scorer-denied-" + UUID.randomUUID();
            try (LogCapture log = LogCapture.of(ScorerService.class)) {
                ScorerService scorer = new ScorerService(kafka, ScorerConfig.from(props.with("scorer.id", id)),
                        new SimpleMeterRegistry());
                scorer.start();
                String failed = log.awaitError(e -> e.contains("scorer " + id + " failed"), Duration.ofSeconds(60));
                assertTrue(failed.contains(AUTH_FAILED), failed);
                // Ended on its own, without stop(): the foreground watchdog sees it unhealthy and exits non-zero.
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!scorer.isStopped()) {
                    assertTrue(System.nanoTime() < deadline, "the scorer loop still runs after: " + failed);
                    Thread.sleep(20);
                }
                assertTrue(!scorer.healthy(), "a scorer that cannot authenticate is not healthy");
            }
        }
    }

    @Test
    void saslWithoutAJaasConfigIsRefusedWhenTheClientIsBuilt() {
        RadarProperties props = base.with(Map.of("kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "SCRAM-SHA-512"));
        KafkaSettings kafka = new KafkaSettings(props);
        String missingJaas = "Could not find a 'KafkaClient' entry in the JAAS configuration";
        Exception publish = assertThrows(Exception.class, () -> new CheckpointPublisher(kafka, "sasl-no-jaas").close());
        assertTrue(LogCapture.chain(publish).contains(missingJaas), LogCapture.chain(publish));
        Exception planner = assertThrows(RadarException.class,
                () -> new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry()).start());
        assertTrue(LogCapture.chain(planner).contains(missingJaas), LogCapture.chain(planner));
    }

    @Test
    void aPlaintextClientWithoutCredentialsFailsWithinItsConfiguredTimeout() {
        // A client that does not speak SASL gets its connection closed by the broker without an error response,
        // so it cannot tell "no credentials" from "no broker": it fails when its own timeout runs out.
        RadarProperties props = base.with(Map.of("kafka.default.api.timeout.ms", "2000",
                "kafka.request.timeout.ms", "1000", "kafka.max.block.ms", "2000"));
        KafkaSettings kafka = new KafkaSettings(props);
        RadarException publish;
        try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, "sasl-plaintext")) {
            publish = assertThrows(RadarException.class, () -> publisher.publish(CheckpointSaved.newBuilder()
                    .setRunId("plaintext").setStep(1).setCheckpointUri(CHECKPOINT.toString()).build()));
        }
        assertTrue(publish.getMessage().contains("could not publish to " + broker.bootstrapServers())
                && publish.getMessage().contains("2000 ms"), publish.getMessage());
        RadarException planner = assertThrows(RadarException.class,
                () -> new PlannerService(kafka, PlannerConfig.from(props), new SimpleMeterRegistry()).start());
        assertTrue(planner.getMessage().contains("cannot create RADAR topics on " + broker.bootstrapServers())
                && LogCapture.chain(planner).contains("Timed out"), LogCapture.chain(planner));
    }

    @Test
    void theCommandsTakeTheCredentialsAsKafkaKeysAndEndNonZeroWithTheRefusalWithoutThem() throws Exception {
        String run = "sasl-cli-" + UUID.randomUUID();
        assertEquals(0, RadarCli.execute(command(USER, PASSWORD, "publish", "--run", run, "--step", "7",
                "--checkpoint", CHECKPOINT.toString())));
        List<CheckpointSaved> published = TopicReader.read(new KafkaSettings(as(USER, PASSWORD)), Topics.CHECKPOINTS,
                e -> e.getRunId().equals(run), 1, Duration.ofSeconds(30));
        assertEquals(7, published.get(0).getStep());

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = withStderr(err, () -> RadarCli.execute(command(USER, "not-the-password", "publish", "--run", run,
                "--step", "8", "--checkpoint", CHECKPOINT.toString())));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, printed);
        // The command checks the broker before it publishes, so the refusal comes from that check.
        assertTrue(printed.contains("radar publish: Kafka at " + broker.bootstrapServers() + " refused the connection: ")
                && printed.contains(AUTH_FAILED), printed);

        // `radar scorer`, like every command assembled by dev.radar.app, checks the broker before it starts anything:
        // refused credentials end it at start-up (exit 2) with the refusal, not later through its watchdog.
        String id = "sasl-cli-scorer-" + UUID.randomUUID();
        ByteArrayOutputStream scorerErr = new ByteArrayOutputStream();
        int scorerRc = withStderr(scorerErr, () -> RadarCli.execute(command("nobody", PASSWORD, "scorer", "--id", id,
                "-D", "metrics.port=0")));
        String scorerPrinted = scorerErr.toString(StandardCharsets.UTF_8);
        assertEquals(2, scorerRc, scorerPrinted);
        assertTrue(scorerPrinted.contains("radar scorer: Kafka at " + broker.bootstrapServers() + " refused the connection: ")
                && scorerPrinted.contains(AUTH_FAILED), scorerPrinted);
    }

    /** A `radar` command line whose Kafka settings, credentials included, are all {@code -D kafka.*} keys. */
    private static String[] command(String user, String password, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-b", broker.bootstrapServers()));
        EmbeddedKafkaBroker.scramClientSettings(user, password).forEach((k, v) -> all.addAll(List.of("-D", k + "=" + v)));
        return all.toArray(String[]::new);
    }

    private static int withStderr(ByteArrayOutputStream sink, IntSupplier body) {
        PrintStream original = System.err;
        System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
        try {
            return body.getAsInt();
        } finally {
            System.setErr(original);
        }
    }
}
