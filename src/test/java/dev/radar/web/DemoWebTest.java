package dev.radar.web;

import dev.radar.checkpoint.CheckpointValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.config.RadarProperties;
import dev.radar.demo.Demo;
import dev.radar.demo.DemoConfig;
import dev.radar.events.AbilityReport;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TopicReader;
import dev.radar.testing.Waits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The demo as a user sees it: the page in headless Chromium after the first checkpoint, and the REST API. */
@Tag("integration")
class DemoWebTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static Demo demo;
    static final ByteArrayOutputStream demoOut = new ByteArrayOutputStream();

    @BeforeAll
    static void startDemoAndWaitForTheFirstCheckpoint() throws Exception {
        demo = new Demo(new DemoConfig(null, DemoConfig.DEFAULT_CHECKPOINTS, 2, 2, 200, 0, "web-run", 1000),
                new PrintStream(demoOut, true));
        demo.start();
        demo.playTrainingRun();
        long deadline = System.currentTimeMillis() + 120_000;
        while (demo.aggregator().latestComplete("web-run").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
        assertTrue(demo.aggregator().latestComplete("web-run").isPresent(), "first checkpoint evaluated: " + demoOut);
    }

    @AfterAll
    static void stopDemo() {
        if (demo != null) {
            demo.stop();
        }
    }

    @Test
    void pageShowsCurvesRadarChartAndTasksInHeadlessChromium() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed (.ci/run installs it)");
        Path profile = Files.createTempDirectory("radar-chromium-");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--disable-quic", "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--dump-dom", demo.webUrl())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished");
        assertTrue(dom.contains("data-ability=\"perception\""), "perception curve drawn:\n" + dom);
        assertTrue(dom.contains("data-ability=\"reasoning\""), "reasoning curve drawn");
        assertTrue(dom.contains("id=\"radar-shape\""), "radar chart of the checkpoint drawn");
        assertTrue(dom.contains("Synthetic_color"), "per-task table filled");
        assertTrue(dom.contains("web-run"), "run listed");
    }

    @Test
    void restApiServesRunsReportsCurvesAndAlerts() throws Exception {
        String base = demo.webUrl();
        JsonNode runs = get(base + "api/runs");
        assertEquals("web-run", runs.get(0).get("runId").asText());
        // The demo keeps playing, so later steps may appear between two reads: compare the first step, which the
        // set-up saw complete, with the aggregator's own store.
        AbilityReport stored = demo.aggregator().reports("web-run").get(0);
        JsonNode reports = get(base + "api/reports?run=web-run");
        JsonNode first = reports.get(0);
        assertEquals(stored.getStep(), first.get("step").asLong());
        assertTrue(first.get("complete").asBoolean(), "the first step was complete before the test: " + first);
        Map<String, Double> storedSds = new TreeMap<>();
        stored.getAbilities().forEach(a -> storedSds.put(a.getLevel() + ":" + a.getName(), a.getSds()));
        Map<String, Double> servedSds = new TreeMap<>();
        first.get("abilities").forEach(a -> servedSds.put(a.get("level").asText() + ":" + a.get("name").asText(),
                a.get("sds").asDouble()));
        assertEquals(storedSds, servedSds, "the API serves the stored abilities' SDS");
        assertEquals(servedSds.get("ability:perception") - servedSds.get("ability:reasoning"),
                first.get("perceptionReasoningGap").asDouble(), 1e-12);
        // The curve's first point is the first complete step's ability score, reached through the curve tracker.
        Waits.until("the curve of web-run", Duration.ofSeconds(30),
                () -> demo.aggregator().curves("web-run").containsKey("reasoning"));
        JsonNode curves = get(base + "api/curves?run=web-run");
        for (String ability : List.of("perception", "reasoning")) {
            JsonNode point = curves.get(ability).get(0);
            assertEquals(stored.getStep(), point.get("step").asLong(), ability);
            assertEquals(servedSds.get("ability:" + ability), point.get("sds").asDouble(), 1e-12, ability);
        }
        List<String> storedAlerts = demo.aggregator().alerts("web-run").stream()
                .map(x -> x.getKind() + "@" + x.getAbility() + "/" + x.getStep()).toList();
        List<String> servedAlerts = new ArrayList<>();
        get(base + "api/alerts?run=web-run").forEach(x ->
                servedAlerts.add(x.get("kind").asText() + "@" + x.get("ability").asText() + "/" + x.get("step").asLong()));
        assertEquals(storedAlerts, servedAlerts, "the API serves the stored alerts");
        assertEquals(400, send(HttpRequest.newBuilder(URI.create(base + "api/reports")).GET()).statusCode(),
                "a missing run parameter is a clear 400");
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(base + "api/curves?run=nobody")).GET());
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "JSON error");
        assertTrue(first.has("checkpointUri") && !first.get("checkpointUri").isNull(), "reports name their checkpoint");
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "nope")).GET()).statusCode());
        // The gauges follow the aggregator's stores on a refresh period: wait for the refresh after completion.
        String metrics = "";
        for (long deadline = System.currentTimeMillis() + 30_000; System.currentTimeMillis() < deadline; Thread.sleep(200)) {
            metrics = send(HttpRequest.newBuilder(URI.create(base + "metrics")).GET()).body();
            if (metrics.contains("radar_ability_sds{")) {
                break;
            }
        }
        assertTrue(metrics.contains("radar_scorer_samples_total"), "Prometheus scrape of the scorer's meters");
        assertTrue(metrics.contains("radar_ability_sds{") && metrics.contains("run=\"web-run\""),
                "ability gauges follow the aggregator: " + metrics.lines().filter(l -> l.startsWith("radar_ability")).toList());
        assertTrue(metrics.contains("radar_up{component=\"scorer\"} 1"), "components report up");
    }

    @Test
    void postCheckpointNeedsTheTokenAndPublishesValidEvents() throws Exception {
        KafkaSettings kafka = new KafkaSettings(RadarProperties.of(java.util.Map.of(
                KafkaSettings.BOOTSTRAP, demoBootstrap())));
        try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, "web-test")) {
            WebServer web = new WebServer(WebConfig.loopbackAnyPort().withToken("s3cret"));
            ApiRoutes.addTo(web, demo.aggregator(), publisher, new CheckpointValidator(java.util.List.of()));
            web.start();
            try {
                String url = web.url() + "api/checkpoints";
                String body = "{\"runId\":\"http-run\",\"step\":42,\"checkpointUri\":\"/ckpt/42\",\"tokensSeen\":1000,"
                        + "\"attributes\":{\"data_mix\":\"web70\"}}";
                assertEquals(401, post(url, body, null).statusCode());
                assertEquals(401, post(url, body, "wrong").statusCode());
                HttpResponse<String> bad = post(url, "{\"runId\":\"http-run\",\"step\":\"x\",\"checkpointUri\":\"/c\"}", "s3cret");
                assertEquals(400, bad.statusCode());
                assertTrue(bad.body().contains("step"), bad.body());
                // Rejected by the planner's checks: 422 with the reason, and one dead letter the page shows for that step.
                HttpResponse<String> rejected = post(url, "{\"runId\":\"http-run\",\"step\":-2,\"checkpointUri\":\"/c\"}", "s3cret");
                assertEquals(422, rejected.statusCode(), rejected.body());
                assertEquals("invalid-step", JSON.readTree(rejected.body()).get("reason").asText());
                assertTrue(JSON.readTree(rejected.body()).get("deadLettered").asBoolean());
                assertEquals(400, post(url, "not json", "s3cret").statusCode());
                assertEquals(202, post(url, body, "s3cret").statusCode());
            } finally {
                web.stop();
            }
        }
        List<CheckpointSaved> events = TopicReader.read(kafka, Topics.CHECKPOINTS, e -> e.getRunId().equals("http-run"),
                1, Duration.ofSeconds(20));
        assertEquals(1, events.size(), "only the valid, authorised request was published");
        // The aggregator reads the dead letter back: the rejected step is listed as failed, with its reason.
        // (The published step 42 points at no checkpoint, so the planner dead-letters it too: also listed.)
        JsonNode rejectedStep = null;
        for (long deadline = System.currentTimeMillis() + 60_000; rejectedStep == null && System.currentTimeMillis() < deadline; ) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(demo.webUrl() + "api/failures?run=http-run")).GET());
            if (r.statusCode() == 200) {
                for (JsonNode f : JSON.readTree(r.body())) {
                    rejectedStep = f.get("step").asLong() == -2 ? f : rejectedStep;
                }
            }
            Thread.sleep(200);
        }
        assertTrue(rejectedStep != null, "the rejected step is listed as failed");
        assertEquals("web", rejectedStep.get("component").asText());
        assertEquals("invalid-step", rejectedStep.get("reason").asText());
        assertEquals("web70", events.get(0).getAttributes().get("data_mix"));
        assertFalse(demo.aggregator().reports("web-run").stream().noneMatch(AbilityReport::getComplete));
    }

    private static String demoBootstrap() {
        return demo.kafkaBootstrap();
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).GET());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> post(String url, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
