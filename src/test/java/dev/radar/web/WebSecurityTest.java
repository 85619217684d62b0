package dev.radar.web;

import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.RadarException;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.app.Assembly;
import dev.radar.app.Role;
import dev.radar.config.RadarProperties;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import dev.radar.testing.TopicReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secure defaults of the HTTP layer on the real server, real publisher and real broker: every write needs the token
 * when one is set, a POST must be JSON (a form or text/plain POST is a cross-site "simple request"), an anonymous
 * re-evaluation is refused, and a server reachable from other hosts refuses to start without a token. Each refused
 * request is followed by a good one that is published; only the good ones arrive.
 */
@Tag("integration")
class WebSecurityTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String GOOD = "{\"runId\":\"%s\",\"step\":%d,\"checkpointUri\":\"/ckpt/1\"}";
    private static KafkaSettings kafka;
    private static CheckpointPublisher publisher;
    private static AggregatorService queries;

    @BeforeAll
    static void publisher() {
        kafka = TestBroker.settings();
        publisher = new CheckpointPublisher(kafka, "web-security-test");
        // Not started: the routes under test never query it, and an unstarted aggregator answers empty.
        queries = new AggregatorService(kafka, AggregatorConfig.from(RadarProperties.empty()));
    }

    @AfterAll
    static void close() {
        publisher.close();
    }

    private static WebServer server(WebConfig config) {
        WebServer server = new WebServer(config);
        ApiRoutes.addTo(server, queries, publisher, new CheckpointValidator(java.util.List.of()));
        server.start();
        return server;
    }

    @Test
    void withATokenEveryWriteNeedsItAndMustBeJson() throws Exception {
        String run = "sec-token-" + System.nanoTime();
        try (WebServer server = server(WebConfig.loopbackAnyPort().withToken("s3cret"))) {
            String url = server.url() + "api/checkpoints";
            String body = GOOD.formatted(run, 1);
            assertEquals(401, post(url, body, "application/json", null).statusCode(), "no token");
            assertEquals(401, post(url, body, "application/json", "wrong").statusCode(), "wrong token");
            for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
                HttpResponse<String> r = post(url, body, type, "s3cret");
                assertEquals(415, r.statusCode(), type);
                assertTrue(r.body().contains("application/json"), r.body());
            }
            assertEquals(415, post(url, body, null, "s3cret").statusCode(), "no Content-Type");
            String huge = body.replace("}", ",\"attributes\":{\"pad\":\"" + "x".repeat(WebServer.MAX_BODY) + "\"}}");
            assertEquals(413, post(url, huge, "application/json", "s3cret").statusCode(), "body over 64 KiB");
            assertEquals(202, post(url, body, "application/json; charset=utf-8", "s3cret").statusCode());
            assertEquals(202, post(url, GOOD.formatted(run, 2).replace("}", ",\"reevaluate\":true}"),
                    "application/json", "s3cret").statusCode(), "a re-evaluation with the token");
            assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "GET on a write route");
            assertEquals(405, post(server.url() + "api/runs", body, "application/json", "s3cret").statusCode());
        }
        List<CheckpointSaved> events = TopicReader.read(kafka, Topics.CHECKPOINTS, e -> e.getRunId().equals(run), 2,
                Duration.ofSeconds(20));
        assertEquals(List.of(1L, 2L), events.stream().map(CheckpointSaved::getStep).sorted().toList(),
                "only the two authorised JSON requests were published");
        assertTrue(events.stream().filter(e -> e.getStep() == 2).allMatch(CheckpointSaved::getReevaluate));
    }

    @Test
    void onLoopbackWithoutATokenAnAnonymousReevaluationIsRefused() throws Exception {
        String run = "sec-anon-" + System.nanoTime();
        try (WebServer server = server(WebConfig.loopbackAnyPort())) {
            String url = server.url() + "api/checkpoints";
            HttpResponse<String> again = post(url, GOOD.formatted(run, 7).replace("}", ",\"reevaluate\":true}"),
                    "application/json", null);
            assertEquals(403, again.statusCode());
            assertTrue(again.body().contains("web.token"), again.body());
            assertEquals(202, post(url, GOOD.formatted(run, 8), "application/json", null).statusCode(),
                    "a plain anonymous write on loopback is allowed");
        }
        List<CheckpointSaved> events = TopicReader.read(kafka, Topics.CHECKPOINTS, e -> e.getRunId().equals(run), 1,
                Duration.ofSeconds(20));
        assertEquals(List.of(8L), events.stream().map(CheckpointSaved::getStep).toList());
    }

    @Test
    void aServerOpenToOtherHostsWithWritesAndNoTokenRefusesToStart() {
        RadarException e = assertThrows(RadarException.class, () -> server(WebConfig.loopbackAnyPort().withBind("0.0.0.0")));
        assertTrue(e.getMessage().contains("web.bind=0.0.0.0") && e.getMessage().contains("web.token"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
        // With the token it starts; without write routes (metrics and health only) it needs none.
        server(WebConfig.loopbackAnyPort().withBind("0.0.0.0").withToken("s3cret")).stop();
        try (WebServer metricsOnly = new WebServer(WebConfig.loopbackAnyPort().withBind("0.0.0.0"))) {
            metricsOnly.start();
            assertTrue(metricsOnly.port() > 0);
        }
    }

    @Test
    void theCompositionRootChecksBindAndAllowedRootsBeforeStartingAnything() {
        RadarException open = assertThrows(RadarException.class, () -> Assembly.of(RadarProperties.of(Map.of(
                "web.bind", "0.0.0.0")), Set.of(Role.AGGREGATOR, Role.WEB)));
        assertTrue(open.getMessage().contains("web.token"), open.getMessage());
        RadarException roots = assertThrows(RadarException.class, () -> Assembly.of(RadarProperties.empty(),
                Set.of(Role.PLANNER)));
        assertTrue(roots.getMessage().startsWith("planner.allowed.roots is not set"), roots.getMessage());
        Assembly.of(RadarProperties.of(Map.of("planner.allowed.roots", "/ckpt")), Set.of(Role.PLANNER)).stop();
    }

    @Test
    void defaultsAreLoopbackAndNoToken() {
        WebConfig d = WebConfig.from(RadarProperties.empty(), WebConfig.METRICS_PORT);
        assertEquals("127.0.0.1", d.bind());
        assertEquals(9404, d.port());
        assertFalse(d.token() != null);
        assertTrue(d.loopback());
        assertEquals(8080, WebConfig.from(RadarProperties.empty(), WebConfig.PAGE_PORT).port());
        assertEquals(30_000, WebConfig.from(RadarProperties.of(Map.of("web.idle.timeout.ms", "30000")), 0).idleTimeoutMs());
    }

    private static HttpResponse<String> post(String url, String body, String contentType, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
