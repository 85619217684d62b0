package dev.radar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml without Docker (no compose plugin here; deploy/check-compose.sh runs `docker compose config` where it exists). */
class ComposeFileTest {
    private static final Pattern DEFAULTED = Pattern.compile("^\\$\\{[A-Z0-9_]+:-(.+)}$");

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(RepoFiles.path("docker-compose.yml").toFile());
    }

    private static String command(JsonNode service) {
        List<String> parts = new ArrayList<>();
        service.path("command").forEach(n -> parts.add(n.asText()));
        return String.join(" ", parts);
    }

    /** The host side of a short-syntax volume; a ${VAR:-default} source contains a colon of its own. */
    private static String source(String volume) {
        int from = volume.startsWith("${") ? volume.indexOf('}') : 0;
        return volume.substring(0, volume.indexOf(':', from));
    }

    @Test
    void servicesAndTheirRadarCommands() throws Exception {
        JsonNode services = compose().path("services");
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertTrue(names.containsAll(Set.of("kafka", "radar-planner", "radar-aggregator", "radar-scorer",
                "prometheus", "alertmanager", "grafana")), names.toString());
        assertTrue(services.path("kafka").path("image").asText().startsWith("apache/kafka:"));
        assertTrue(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText().contains("controller"), "KRaft");
        for (String s : List.of("planner", "aggregator", "scorer")) {
            JsonNode svc = services.path("radar-" + s);
            assertTrue(command(svc).startsWith(s), s + ": " + command(svc));
            assertEquals("kafka:9092", svc.path("environment").path("RADAR_KAFKA_BOOTSTRAP_SERVERS").asText(), s);
            assertEquals("service_healthy", svc.path("depends_on").path("kafka").path("condition").asText(), s);
        }
        // the web page reads the aggregator's state stores, so the aggregator serves it
        JsonNode aggregator = services.path("radar-aggregator");
        assertEquals("8080", aggregator.path("environment").path("RADAR_WEB_PORT").asText());
        assertTrue(aggregator.path("ports").toString().contains("8080:8080"), aggregator.path("ports").toString());
        assertEquals("/var/lib/radar/aggregator",
                services.path("radar-aggregator").path("environment").path("RADAR_AGGREGATOR_STATE_DIR").asText());
    }

    @Test
    void scorerReservesOneNvidiaGpuAndScoresOnIt() throws Exception {
        JsonNode scorer = compose().path("services").path("radar-scorer");
        JsonNode device = scorer.path("deploy").path("resources").path("reservations").path("devices").get(0);
        assertEquals("nvidia", device.path("driver").asText());
        assertEquals(1, device.path("count").asInt());
        assertEquals("gpu", device.path("capabilities").get(0).asText());
        assertEquals("gpu", scorer.path("environment").path("RADAR_SCORING_DEVICE").asText());
    }

    @Test
    void everyMountedLocalPathExists() throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode compose = compose();
        Set<String> namedVolumes = new TreeSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(namedVolumes::add);
        compose.path("services").fields().forEachRemaining(e -> {
            for (JsonNode v : e.getValue().path("volumes")) {
                String source = source(v.asText());
                Matcher m = DEFAULTED.matcher(source);
                if (m.matches()) {
                    // User data (checkpoints, benchmark): the default lies under ./radar-data, which `radar demo` fills.
                    if (!m.group(1).startsWith("./radar-data/")) {
                        problems.add(e.getKey() + ": default of " + source + " outside ./radar-data");
                    }
                } else if (source.startsWith("./") || source.startsWith("/")) {
                    if (!Files.exists(RepoFiles.path(source))) {
                        problems.add(e.getKey() + ": " + source + " does not exist");
                    }
                } else if (!namedVolumes.contains(source)) {
                    problems.add(e.getKey() + ": undeclared volume " + source);
                }
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        JsonNode grafana = compose.path("services").path("grafana").path("volumes");
        assertTrue(grafana.toString().contains("./grafana/provisioning:/etc/grafana/provisioning"));
        assertTrue(grafana.toString().contains("./grafana/dashboards:/var/lib/grafana/dashboards"));
        assertTrue(compose.path("services").path("prometheus").path("volumes").toString()
                .contains("./deploy/prometheus/radar-rules.yml:/etc/prometheus/radar-rules.yml"));
    }

    @Test
    void dockerfileBuildsWithMavenAndRunsTheLauncher() throws Exception {
        String dockerfile = Files.readString(RepoFiles.path("Dockerfile"));
        assertTrue(dockerfile.contains("AS build") && dockerfile.contains("mvn -B -q package"), "multi-stage Maven build");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"./radar\"]"));
        assertTrue(dockerfile.contains("ARG RUNTIME_IMAGE"), "base image selectable for CUDA");
        Path check = RepoFiles.path("deploy/check-compose.sh");
        assertTrue(Files.isExecutable(check), "deploy/check-compose.sh executable");
    }
}
