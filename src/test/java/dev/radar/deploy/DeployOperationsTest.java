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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator needs from the deploy files (issue 18): image references in one place, registry-qualified and
 * versioned; a state dir the image creates and a volume its user can write; probes on the health endpoints; scorer
 * discovery without clobbered labels; a consistent TLS/SASL example; a job that loads the benchmark; replicas with
 * static membership.
 */
class DeployOperationsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<JsonNode> K8S = new ArrayList<>();
    private static JsonNode kustomization;

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.list(RepoFiles.path("deploy/k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                if (f.getFileName().toString().equals("kustomization.yaml")) {
                    kustomization = YAML.readTree(f.toFile());
                    continue;
                }
                try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    it.forEachRemaining(d -> {
                        if (d != null && !d.isEmpty()) {
                            K8S.add(d);
                        }
                    });
                }
            }
        }
    }

    private static JsonNode named(String kind, String name) {
        return K8S.stream().filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static List<JsonNode> podTemplates() {
        return K8S.stream().filter(d -> Set.of("Deployment", "StatefulSet", "Job").contains(d.path("kind").asText())).toList();
    }

    private static JsonNode container(JsonNode workload) {
        return workload.path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static Map<String, String> dotEnv() throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(RepoFiles.path(".env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return env;
    }

    private static JsonNode compose() throws IOException {
        return YAML.readTree(RepoFiles.path("docker-compose.yml").toFile());
    }

    @Test
    void imageReferencesAreRegistryQualifiedVersionedAndSetOnceForEachTool() throws IOException {
        Map<String, String> images = new HashMap<>();
        for (JsonNode image : kustomization.path("images")) {
            String ref = image.path("newName").asText() + ":" + image.path("newTag").asText();
            String registry = ref.substring(0, ref.indexOf('/'));
            assertTrue(registry.contains(".") || registry.contains(":"), "registry host in " + ref);
            assertFalse(image.path("newTag").asText().isBlank() || image.path("newTag").asText().equals("latest"), ref);
            images.put(image.path("name").asText(), ref);
        }
        for (JsonNode w : podTemplates()) {
            assertTrue(images.containsKey(container(w).path("image").asText()), w.path("metadata").path("name").asText());
        }
        Map<String, String> env = dotEnv();
        assertEquals(images.get("radar"), env.get("RADAR_IMAGE"), ".env and kustomization.yaml agree");
        assertEquals(images.get("radar-gpu"), env.get("RADAR_GPU_IMAGE"), ".env and kustomization.yaml agree");
        JsonNode services = compose().path("services");
        for (String s : List.of("radar-planner", "radar-aggregator")) {
            assertTrue(services.path(s).path("image").asText().startsWith("${RADAR_IMAGE"), s);
        }
        assertTrue(services.path("radar-scorer").path("image").asText().startsWith("${RADAR_GPU_IMAGE"));

        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = new TreeSet<>();
        try (Stream<Path> all = Files.list(RepoFiles.path("deploy/k8s"))) {
            all.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .forEach(files::add);
        }
        assertEquals(files, listed, "kustomization.yaml applies every manifest (examples/ excepted)");
    }

    @Test
    void everyPodRunsAsTheImageUserAndTheAggregatorStateVolumeIsWritableByIt() throws IOException {
        for (JsonNode w : podTemplates()) {
            JsonNode security = w.path("spec").path("template").path("spec").path("securityContext");
            assertEquals(10001, security.path("runAsUser").asInt(), w.path("metadata").path("name").asText());
            assertTrue(security.path("runAsNonRoot").asBoolean());
        }
        JsonNode aggregator = named("StatefulSet", "radar-aggregator");
        assertEquals(10001, aggregator.path("spec").path("template").path("spec").path("securityContext").path("fsGroup").asInt());
        String stateDir = named("ConfigMap", "radar-config").path("data").path("RADAR_AGGREGATOR_STATE_DIR").asText();
        String dockerfile = Files.readString(RepoFiles.path("Dockerfile"));
        assertTrue(dockerfile.contains("--uid 10001"), "the image user is uid 10001");
        assertTrue(dockerfile.contains("mkdir -p " + stateDir + " && chown -R radar:radar /var/lib/radar"),
                "the image creates the state dir, owned by its user");
        assertEquals(stateDir, compose().path("services").path("radar-aggregator").path("environment")
                .path("RADAR_AGGREGATOR_STATE_DIR").asText());
    }

    @Test
    void componentsHaveLivenessAndReadinessProbesOnTheHealthEndpointsOfTheirHttpPort() throws IOException {
        JsonNode config = named("ConfigMap", "radar-config").path("data");
        String webPort = config.path("RADAR_WEB_PORT").asText();
        // Probes and scrapes come from outside the pod: the one HTTP server must listen on all interfaces.
        assertEquals("0.0.0.0", config.path("RADAR_WEB_BIND").asText());
        for (String[] w : List.of(new String[]{"Deployment", "radar-planner"}, new String[]{"StatefulSet", "radar-aggregator"},
                new String[]{"Deployment", "radar-scorer"})) {
            JsonNode c = container(named(w[0], w[1]));
            assertEquals("/health/live", c.path("livenessProbe").path("httpGet").path("path").asText(), w[1]);
            assertEquals("/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), w[1]);
            String port = c.path("livenessProbe").path("httpGet").path("port").asText();
            assertEquals(port, c.path("readinessProbe").path("httpGet").path("port").asText(), w[1]);
            boolean named = false;
            for (JsonNode p : c.path("ports")) {
                named |= p.path("name").asText().equals(port) && p.path("containerPort").asText().equals(webPort);
            }
            assertTrue(named, w[1] + ": probes use the port named " + port + " = RADAR_WEB_PORT " + webPort);
        }
        JsonNode services = compose().path("services");
        for (String s : List.of("radar-planner", "radar-aggregator", "radar-scorer")) {
            String test = services.path(s).path("healthcheck").path("test").toString();
            assertTrue(test.contains("/health/ready") && test.contains("$${RADAR_WEB_PORT}"), s + ": " + test);
        }
    }

    @Test
    void prometheusFindsEveryScorerByDnsAndNeverOverwritesTheMetricsComponentLabel() throws IOException {
        JsonNode prometheus = YAML.readTree(RepoFiles.path("deploy/prometheus/prometheus.yml").toFile());
        JsonNode radar = null;
        for (JsonNode job : prometheus.path("scrape_configs")) {
            if (job.path("job_name").asText().equals("radar")) {
                radar = job;
            }
        }
        assertTrue(radar != null && radar.path("static_configs").isMissingNode(), "the radar job has no static targets");
        List<String> names = new ArrayList<>();
        radar.path("dns_sd_configs").get(0).path("names").forEach(n -> names.add(n.asText()));
        assertEquals(List.of("radar-planner", "radar-aggregator", "radar-scorer"), names);
        assertFalse(radar.toString().contains("\"component\""), "no target label named component: " + radar);
        JsonNode services = compose().path("services");
        names.forEach(n -> assertTrue(services.has(n), n));

        JsonNode podMonitor = named("PodMonitor", "radar");
        assertEquals("radar", podMonitor.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/part-of").asText());
        // The port every RADAR container names for its one HTTP server (probes use the same name).
        assertEquals("http", podMonitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText());
        assertEquals("8080", radar.path("dns_sd_configs").get(0).path("port").asText(), "compose: RADAR_WEB_PORT of the image");
        assertFalse(podMonitor.toString().contains("component"));
    }

    @Test
    void plaintextByDefaultAndTheSecurityExampleSwitchesBootstrapAndProtocolTogether() throws IOException {
        String plain = named("ConfigMap", "radar-config").path("data").path("RADAR_KAFKA_BOOTSTRAP_SERVERS").asText();
        assertTrue(plain.endsWith(":9092"), plain);
        JsonNode trigger = named("ScaledObject", "radar-scorer").path("spec").path("triggers").get(0).path("metadata");
        assertEquals(plain, trigger.path("bootstrapServers").asText(), "KEDA reads the same cluster");
        List<JsonNode> examples = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class)
                .readValues(RepoFiles.path("deploy/k8s/examples/kafka-security.yaml").toFile())) {
            it.forEachRemaining(examples::add);
        }
        JsonNode security = examples.stream().filter(d -> d.path("metadata").path("name").asText().equals("radar-kafka-security"))
                .findFirst().orElseThrow().path("stringData");
        assertTrue(security.path("RADAR_KAFKA_BOOTSTRAP_SERVERS").asText().endsWith(":9093"));
        assertEquals("SASL_SSL", security.path("RADAR_KAFKA_SECURITY_PROTOCOL").asText());
        assertTrue(examples.stream().anyMatch(d -> d.path("kind").asText().equals("TriggerAuthentication")
                && d.path("metadata").path("name").asText().equals("radar-kafka-keda")));
        // The Secret comes after the ConfigMap in envFrom: on duplicate keys the later source wins.
        JsonNode envFrom = container(named("Deployment", "radar-planner")).path("envFrom");
        assertTrue(envFrom.get(0).has("configMapRef") && envFrom.get(1).has("secretRef"));
        assertTrue(named("ScaledObject", "radar-scorer").path("spec").path("cooldownPeriod").isMissingNode(),
                "cooldownPeriod has no effect at minReplicaCount 1");
    }

    @Test
    void aJobLoadsTheBenchmarkIntoTheClaimPlannerAndScorersRead() {
        JsonNode job = named("Job", "radar-benchmark-load");
        JsonNode c = container(job);
        assertEquals("bench-gen", c.path("args").get(0).asText());
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asText()));
        String dir = args.get(args.indexOf("--out") + 1);
        assertEquals("/data/m3-bench", dir);
        String claim = job.path("spec").path("template").path("spec").path("volumes").get(0).path("persistentVolumeClaim")
                .path("claimName").asText();
        assertEquals("radar-benchmark", claim);
        assertTrue(c.path("volumeMounts").toString().contains("\"mountPath\":\"" + dir + "\""));
        JsonNode planner = container(named("Deployment", "radar-planner"));
        assertTrue(planner.path("args").toString().contains("m3-bench=" + dir));
    }

    @Test
    void aggregatorReplicasAnnounceTheirEndpointAndUseStaticMembership() {
        JsonNode aggregator = named("StatefulSet", "radar-aggregator");
        assertTrue(aggregator.path("spec").path("replicas").asInt() >= 2);
        Map<String, String> env = new HashMap<>();
        container(aggregator).path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertEquals("$(POD_NAME)", env.get("RADAR_AGGREGATOR_INSTANCE_ID"));
        String endpoint = env.get("RADAR_AGGREGATOR_REPLICA_ENDPOINT");
        assertTrue(endpoint.startsWith("$(POD_NAME).radar-aggregator.radar.svc"), endpoint);
        // The replicas ask each other on the one HTTP server: the endpoint's port is the web port, named "http".
        String port = endpoint.substring(endpoint.lastIndexOf(':') + 1);
        assertEquals(named("ConfigMap", "radar-config").path("data").path("RADAR_WEB_PORT").asText(), port);
        List<String> containerPorts = new ArrayList<>();
        container(aggregator).path("ports").forEach(p -> containerPorts.add(p.path("name").asText() + "=" + p.path("containerPort").asText()));
        assertEquals(List.of("http=" + port), containerPorts, "one HTTP server, one port");
        List<String> servicePorts = new ArrayList<>();
        named("Service", "radar-aggregator").path("spec").path("ports")
                .forEach(p -> servicePorts.add(p.path("name").asText() + "=" + p.path("port").asText()));
        assertEquals(List.of("http=" + port), servicePorts);
        assertFalse(env.containsKey("RADAR_AGGREGATOR_REPLICA_BIND"), "the replica server and its bind key are gone");
        Map<String, String> scorerEnv = new HashMap<>();
        container(named("Deployment", "radar-scorer")).path("env").forEach(e -> scorerEnv.put(e.path("name").asText(), e.path("value").asText()));
        assertEquals("$(POD_NAME)", scorerEnv.get("RADAR_SCORER_GROUP_INSTANCE_ID"));
        assertEquals("$(POD_NAME)", scorerEnv.get("RADAR_SCORER_ID"));
    }
}
