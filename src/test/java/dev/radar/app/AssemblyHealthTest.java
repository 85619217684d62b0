package dev.radar.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.testing.TestBroker;
import dev.radar.testing.Waits;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Health tells the truth: a component assembled from configuration, on a real broker, whose loop dies turns the
 * process not live and not ready, and {@code radar_up} follows.
 */
@Tag("integration")
class AssemblyHealthTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aScorerWhoseLoopDiesTurnsNotReadyNotLiveAndRadarUpZero() throws Exception {
        // A transaction timeout above the broker's transaction.max.timeout.ms (15 min) is refused at InitProducerId:
        // the poll loop ends right after a start that went well, as a real misconfiguration does.
        RadarProperties props = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, TestBroker.get().bootstrapServers(),
                "scorer.id", "health-dies-" + System.nanoTime(),
                "scorer.transaction.timeout.ms", "3600000",
                "web.port", "0"));
        try (Assembly assembly = Assembly.of(props, Set.of(Role.SCORER))) {
            assembly.start();
            String base = assembly.http().orElseThrow().url();
            // Not ready comes first (the scorer checks its model runtime, then joins): wait for the loop's end itself.
            HttpResponse<String> live = awaitStatus(base + "health/live", 503, Duration.ofSeconds(60));
            assertTrue(live.body().contains("\"scorer\":\"DOWN\""), live.body());
            HttpResponse<String> ready = get(base + "health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"scorer\":\"DOWN\""), ready.body());
            assertTrue(ready.body().contains("not live (its loop ended)"), ready.body());
            assertFalse(assembly.health().live());
            assertTrue(assembly.health().deadComponent().startsWith("scorer"), assembly.health().deadComponent());
            String metrics = get(base + "metrics").body();
            assertTrue(metrics.contains("radar_up{component=\"scorer\"} 0"),
                    metrics.lines().filter(l -> l.startsWith("radar_up")).toList().toString());
            assertTrue(metrics.contains("radar_up{component=\"http\"} 1"), "the HTTP server itself still serves");
        }
    }

    @Test
    void aScorerThatCannotLoadModelsIsLiveButNotReadyAndTheReadyReplySaysWhy() throws Exception {
        // No eighth GPU here (nor on a one-GPU machine): the scorer's start-up check of the engine on its device fails.
        String id = "health-no-device-" + System.nanoTime();
        RadarProperties props = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, TestBroker.get().bootstrapServers(),
                "scorer.id", id, "scorer.group.id", id, "scoring.device", "gpu:7", "web.port", "0"));
        try (Assembly assembly = Assembly.of(props, Set.of(Role.SCORER))) {
            assembly.start();
            String base = assembly.http().orElseThrow().url();
            Waits.until("/health/ready to give the scorer's reason", Duration.ofSeconds(60),
                    () -> body(base + "health/ready").contains("cannot be used"));
            HttpResponse<String> ready = get(base + "health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            JsonNode json = new ObjectMapper().readTree(ready.body());
            assertEquals("DOWN", json.path("components").path("scorer").asText(), ready.body());
            assertTrue(json.path("reasons").path("scorer").asText().startsWith(
                    "scorer:" + id + ": cannot load models, so it takes no shard tasks: scoring.device 'gpu:7' cannot be used"),
                    ready.body());
            HttpResponse<String> live = get(base + "health/live");
            assertEquals(200, live.statusCode(), "a restart would not bring the GPU back: " + live.body());
            assertTrue(get(base + "metrics").body().contains("radar_up{component=\"scorer\"} 0"));
        }
    }

    @Test
    void aScorerThatCanWorkIsReadyOnceInItsGroup() throws Exception {
        String id = "health-ready-" + System.nanoTime();
        RadarProperties props = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, TestBroker.get().bootstrapServers(),
                "scorer.id", id, "scorer.group.id", id, "web.port", "0"));
        try (Assembly assembly = Assembly.of(props, Set.of(Role.SCORER))) {
            assembly.start();
            String base = assembly.http().orElseThrow().url();
            Waits.until("/health/ready 200", Duration.ofSeconds(60), () -> status(base + "health/ready") == 200);
            JsonNode json = new ObjectMapper().readTree(get(base + "health/ready").body());
            assertEquals("UP", json.path("components").path("scorer").asText(), json.toString());
            assertEquals(0, json.path("reasons").size(), json.toString());
            assertTrue(get(base + "metrics").body().contains("radar_up{component=\"scorer\"} 1"));
        }
    }

    private static String body(String url) {
        try {
            return get(url).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static int status(String url) {
        try {
            return get(url).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aWatcherThatRunsIsLiveAndReadyAndReportsUp() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("radar-watch-health");
        RadarProperties props = RadarProperties.of(Map.of(
                KafkaSettings.BOOTSTRAP, TestBroker.get().bootstrapServers(),
                "watch.dir", dir.toString(), "watch.run", "health-watch", "web.port", "0"));
        try (Assembly assembly = Assembly.of(props, Set.of(Role.WATCH))) {
            assembly.start();
            String base = assembly.http().orElseThrow().url();
            HttpResponse<String> ready = get(base + "health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals(200, get(base + "health/live").statusCode());
            assertTrue(get(base + "metrics").body().contains("radar_up{component=\"watcher\"} 1"));
        }
    }

    private static HttpResponse<String> awaitStatus(String url, int status, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(url);
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(100);
        }
        fail(url + " never answered " + status + " within " + within.toSeconds() + " s; last: "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
        return last;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
