package dev.radar.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every manifest under deploy/k8s (multi-document YAML): kinds, required fields and cross-references. */
class KubernetesManifestsTest {
    private static final List<JsonNode> DOCS = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (Stream<Path> files = Files.walk(RepoFiles.path("deploy/k8s"))) {
            // kustomization.yaml is kustomize's own file, not a Kubernetes object.
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode doc = it.next();
                        if (doc != null && !doc.isEmpty()) {
                            DOCS.add(doc);
                        }
                    }
                }
            }
        }
    }

    private static List<JsonNode> kind(String kind) {
        return DOCS.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    private static JsonNode named(String kind, String name) {
        return kind(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    @Test
    void everyDocumentHasKindNameAndNamespace() {
        assertTrue(DOCS.size() >= 10, "documents: " + DOCS.size());
        for (JsonNode d : DOCS) {
            String id = d.path("kind").asText() + " " + d.path("metadata").path("name").asText();
            assertTrue(d.hasNonNull("apiVersion") && d.hasNonNull("kind") && !d.path("metadata").path("name").asText().isBlank(), id);
            if (!"Namespace".equals(d.path("kind").asText())) {
                assertEquals("radar", d.path("metadata").path("namespace").asText(), id);
            }
        }
        named("Namespace", "radar");
    }

    @Test
    void workloadsAreConsistent() {
        Set<String> configMaps = new HashSet<>();
        kind("ConfigMap").forEach(c -> configMaps.add(c.path("metadata").path("name").asText()));
        Set<String> claims = new HashSet<>();
        kind("PersistentVolumeClaim").forEach(c -> claims.add(c.path("metadata").path("name").asText()));
        List<JsonNode> workloads = new ArrayList<>(kind("Deployment"));
        workloads.addAll(kind("StatefulSet"));
        assertEquals(3, workloads.size(), "planner, aggregator (+web), scorer");
        for (JsonNode w : workloads) {
            String id = w.path("metadata").path("name").asText();
            JsonNode selector = w.path("spec").path("selector").path("matchLabels");
            JsonNode labels = w.path("spec").path("template").path("metadata").path("labels");
            selector.fields().forEachRemaining(e -> assertEquals(e.getValue(), labels.path(e.getKey()), id + " selector"));
            JsonNode annotations = w.path("spec").path("template").path("metadata").path("annotations");
            assertEquals("true", annotations.path("prometheus.io/scrape").asText(), id + " scrape annotation");
            JsonNode c = container(w);
            // Bare names: deploy/k8s/kustomization.yaml sets registry and version for both (DeployOperationsTest).
            assertTrue(Set.of("radar", "radar-gpu").contains(c.path("image").asText()), id);
            String metricsPort = annotations.path("prometheus.io/port").asText();
            assertTrue(c.path("ports").findValuesAsText("containerPort").contains(metricsPort), id + " scraped port is a container port");
            for (JsonNode from : c.path("envFrom")) {
                if (from.has("configMapRef")) {
                    assertTrue(configMaps.contains(from.path("configMapRef").path("name").asText()), id);
                } else {
                    // The security Secret is an example the user fills in: referenced as optional.
                    assertTrue(from.path("secretRef").path("optional").asBoolean(), id + " secretRef optional");
                }
            }
            for (JsonNode v : w.path("spec").path("template").path("spec").path("volumes")) {
                if (v.has("persistentVolumeClaim")) {
                    assertTrue(claims.contains(v.path("persistentVolumeClaim").path("claimName").asText()), id);
                }
            }
        }
    }

    @Test
    void scorerRequestsOneGpuAndKedaScalesItOnTheScorerGroupLag() {
        JsonNode scorer = named("Deployment", "radar-scorer");
        JsonNode resources = container(scorer).path("resources");
        assertEquals("1", resources.path("limits").path("nvidia.com/gpu").asText());
        assertEquals("1", resources.path("requests").path("nvidia.com/gpu").asText());
        assertTrue(container(scorer).path("env").toString().contains("RADAR_SCORING_DEVICE"));

        JsonNode scaled = named("ScaledObject", "radar-scorer");
        assertTrue(scaled.path("apiVersion").asText().startsWith("keda.sh/"));
        JsonNode target = scaled.path("spec").path("scaleTargetRef");
        assertEquals("Deployment", target.path("kind").asText("Deployment"));
        assertEquals("radar-scorer", target.path("name").asText());
        JsonNode trigger = scaled.path("spec").path("triggers").get(0);
        assertEquals("kafka", trigger.path("type").asText());
        assertEquals("radar-scorers", trigger.path("metadata").path("consumerGroup").asText());
        assertEquals("radar.shard-tasks", trigger.path("metadata").path("topic").asText());
        assertTrue(Integer.parseInt(trigger.path("metadata").path("lagThreshold").asText()) > 0);
        assertTrue(scaled.path("spec").path("maxReplicaCount").asInt() <= 12, "no more scorers than shard-task partitions");
    }

    @Test
    void aggregatorKeepsItsStateOnAClaimAtTheConfiguredDir() {
        JsonNode agg = named("StatefulSet", "radar-aggregator");
        String claim = agg.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText();
        String stateDir = named("ConfigMap", "radar-config").path("data").path("RADAR_AGGREGATOR_STATE_DIR").asText();
        boolean mounted = false;
        for (JsonNode m : container(agg).path("volumeMounts")) {
            mounted |= claim.equals(m.path("name").asText()) && stateDir.equals(m.path("mountPath").asText());
        }
        assertTrue(mounted, "state claim mounted at " + stateDir);
        assertEquals("radar-aggregator", agg.path("spec").path("serviceName").asText());
        named("Service", "radar-aggregator");
    }

    @Test
    void webServiceSelectsTheAggregatorPodsThatServeThePage() {
        JsonNode svc = named("Service", "radar-web");
        JsonNode aggregator = named("StatefulSet", "radar-aggregator");
        JsonNode podLabels = aggregator.path("spec").path("template").path("metadata").path("labels");
        assertTrue(svc.path("spec").path("selector").size() > 0);
        svc.path("spec").path("selector").fields().forEachRemaining(e -> assertEquals(e.getValue(), podLabels.path(e.getKey())));
        assertTrue(aggregator.path("spec").path("template").path("spec").path("containers").get(0).path("ports")
                .toString().contains("8080"), "the aggregator container exposes the web port");
    }

    @Test
    void kafkaSecurityExampleCarriesTlsAndSasl() {
        JsonNode data = named("Secret", "radar-kafka-security").path("stringData");
        for (String key : List.of("RADAR_KAFKA_SECURITY_PROTOCOL", "RADAR_KAFKA_SASL_MECHANISM", "RADAR_KAFKA_SASL_JAAS_CONFIG",
                "RADAR_KAFKA_SSL_TRUSTSTORE_LOCATION")) {
            assertTrue(data.hasNonNull(key), key);
        }
        assertTrue(data.path("RADAR_KAFKA_SSL_TRUSTSTORE_LOCATION").asText().startsWith("/etc/radar/kafka-tls/"));
        named("Secret", "radar-kafka-truststore");
    }
}
