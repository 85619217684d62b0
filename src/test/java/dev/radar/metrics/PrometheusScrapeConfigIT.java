package dev.radar.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.app.Assembly;
import dev.radar.app.Role;
import dev.radar.config.RadarProperties;
import dev.radar.kafka.KafkaSettings;
import dev.radar.testing.RepoFiles;
import dev.radar.testing.TestBroker;
import dev.radar.testing.Waits;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Prometheus configuration users deploy ({@code deploy/prometheus/prometheus.yml}) against running RADAR
 * components: a real Prometheus scrapes a planner, an aggregator (with its page) and two scorers, each assembled by
 * {@link Assembly} from configuration with its own HTTP server, and every {@code radar_up} series keeps the
 * component's own {@code component} label, gains the compose service name as {@code service}, and exists once per
 * component and instance, both scorers included.
 *
 * <p>The file is used as deployed except where this machine cannot follow it: its DNS service discovery (Prometheus
 * reads /etc/resolv.conf; there is no DNS server to control here) becomes static targets labelled
 * {@code __meta_dns_name} with the service name, as DNS SD labels what it finds; alerting (it needs Alertmanager) is
 * dropped; rule files are read where docker-compose.yml mounts them from. Everything else, the relabelling included,
 * is the file's own, so a static {@code component} label added there fails this test.
 */
@Tag("integration")
class PrometheusScrapeConfigIT {
    private static final Path DEPLOYED = Path.of("deploy/prometheus/prometheus.yml");
    private static final String JOB = "radar";
    private static final Pattern RADAR_UP = Pattern.compile("^radar_up\\{component=\"([^\"]+)\"}", Pattern.MULTILINE);

    /** A RADAR process as docker-compose.yml runs it: the service it belongs to and its roles (the command's). */
    private record Instance(String service, Set<Role> roles, String name) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theDeployedScrapeConfigKeepsEachComponentsOwnLabelAndScrapesEveryScorer(@TempDir Path tmp) throws Exception {
        LocalPrometheus.requireInstalled();
        List<Instance> instances = List.of(
                new Instance("radar-planner", Set.of(Role.PLANNER), "planner"),
                new Instance("radar-aggregator", Set.of(Role.AGGREGATOR, Role.WEB), "aggregator"),
                new Instance("radar-scorer", Set.of(Role.SCORER), "scorer-a"),
                new Instance("radar-scorer", Set.of(Role.SCORER), "scorer-b"));
        String id = "scrape-config-" + UUID.randomUUID();
        List<Assembly> started = new ArrayList<>();
        try {
            Map<String, List<String>> targetsByService = new TreeMap<>();
            // the series each target serves itself: labels Prometheus must keep, plus the ones it adds
            Set<Map<String, String>> expected = new TreeSet<>(PrometheusScrapeConfigIT::compare);
            for (Instance instance : instances) {
                Assembly assembly = Assembly.of(properties(instance, id, tmp), instance.roles());
                started.add(assembly);
                assembly.start();
                Waits.until(instance.name() + " ready", Duration.ofSeconds(90), assembly.health()::ready);
                String target = "127.0.0.1:" + assembly.http().orElseThrow().port();
                targetsByService.computeIfAbsent(instance.service(), s -> new ArrayList<>()).add(target);
                for (String component : ownComponents(target)) {
                    expected.add(Map.of("__name__", "radar_up", "component", component, "instance", target,
                            "job", JOB, "service", instance.service()));
                }
            }

            String config = PromQueries.YAML.writeValueAsString(deployedConfigWithStaticTargets(targetsByService));
            try (LocalPrometheus prometheus = LocalPrometheus.start(tmp, config)) {
                checkScrapes(prometheus, instances.size(), expected, targetsByService.get("radar-scorer"));
            }
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).close();
            }
        }
    }

    /** What Prometheus made of the targets: each series as its target serves it, with the file's labels added. */
    private static void checkScrapes(LocalPrometheus prometheus, int targets, Set<Map<String, String>> expected,
                                     List<String> scorerTargets) throws Exception {
        // Every target scraped once (the file's scrape_interval, 15 s, spreads first scrapes over that long).
        awaitSeries(prometheus, "up{job=\"" + JOB + "\"} == 1", targets);
        JsonNode result = query(prometheus, "radar_up{job=\"" + JOB + "\"}").path("data").path("result");
        List<Map<String, String>> actual = new ArrayList<>();
        result.forEach(series -> actual.add(labels(series.path("metric"))));
        actual.forEach(labels -> assertTrue(!labels.containsKey("exported_component"),
                () -> "a target label clobbered the metric's own component: " + labels));
        Set<Map<String, String>> distinct = new TreeSet<>(PrometheusScrapeConfigIT::compare);
        distinct.addAll(actual);
        assertEquals(distinct.size(), actual.size(), () -> "one series per component and instance: " + actual);
        assertEquals(expected, distinct, "radar_up as each target serves it, with job, instance and service added");

        Set<String> scorerInstances = new TreeSet<>();
        query(prometheus, "radar_up{job=\"" + JOB + "\", service=\"radar-scorer\", component=\"scorer\"}")
                .path("data").path("result").forEach(s -> scorerInstances.add(s.path("metric").path("instance").asText()));
        assertEquals(new TreeSet<>(scorerTargets), scorerInstances,
                "both scorers of the service scraped, each on its own");
        for (var e : Map.of("radar-planner", "planner", "radar-aggregator", "aggregator").entrySet()) {
            assertEquals(1, query(prometheus, "radar_up{service=\"" + e.getKey() + "\", component=\""
                    + e.getValue() + "\"}").path("data").path("result").size(), e.getKey() + " reports " + e.getValue());
        }
    }

    /**
     * One process's settings on the shared test broker: its own groups, application id and state, any free port, and
     * reading topics from their end, so it neither replays nor takes over another test's records.
     */
    private static RadarProperties properties(Instance instance, String id, Path tmp) {
        Map<String, String> p = new HashMap<>(Map.of(
                KafkaSettings.BOOTSTRAP, TestBroker.get().bootstrapServers(),
                "kafka.auto.offset.reset", "latest",
                "kafka.consumer.auto.offset.reset", "latest", // Kafka Streams' own prefix wins over the plain key
                "web.port", "0"));
        if (instance.roles().contains(Role.PLANNER)) {
            p.put("planner.group.id", id + "-planner");
            p.put("planner.allowed.roots", tmp.toString());
        }
        if (instance.roles().contains(Role.SCORER)) {
            p.put("scorer.group.id", id + "-scorers");
            p.put("scorer.id", id + "-" + instance.name());
        }
        if (instance.roles().contains(Role.AGGREGATOR)) {
            p.put("aggregator.application.id", id + "-aggregator");
            p.put("aggregator.state.dir", tmp.resolve("aggregator-state").toString());
        }
        return RadarProperties.of(p);
    }

    /** The {@code component} values of {@code radar_up} in the target's own {@code /metrics}. */
    private List<String> ownComponents(String target) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://" + target + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        List<String> components = new ArrayList<>();
        Matcher m = RADAR_UP.matcher(body);
        while (m.find()) {
            components.add(m.group(1));
        }
        assertTrue(!components.isEmpty(), () -> target + " serves no radar_up:\n" + body);
        return components;
    }

    /**
     * The deployed file with the {@code radar} job's DNS SD replaced by static targets that carry what DNS SD would
     * ({@code __meta_dns_name}), and rule files where compose mounts them from; alerting dropped.
     */
    private static ObjectNode deployedConfigWithStaticTargets(Map<String, List<String>> targetsByService) {
        ObjectNode config = (ObjectNode) PromQueries.read(RepoFiles.path(DEPLOYED.toString()));
        config.remove("alerting");
        if (config.has("rule_files")) {
            ArrayNode rules = PromQueries.YAML.createArrayNode();
            config.path("rule_files").forEach(f -> rules.add(composeHostPath(f.asText()).toString()));
            config.set("rule_files", rules);
        }
        ObjectNode job = null;
        for (JsonNode j : config.path("scrape_configs")) {
            if (JOB.equals(j.path("job_name").asText())) {
                job = (ObjectNode) j;
            }
        }
        if (job == null) {
            throw new AssertionError(DEPLOYED + " has no job_name " + JOB);
        }
        List<String> sdKeys = new ArrayList<>();
        job.fieldNames().forEachRemaining(k -> {
            if (k.endsWith("_sd_configs") || k.equals("static_configs")) {
                sdKeys.add(k);
            }
        });
        assertEquals(List.of("dns_sd_configs"), sdKeys, DEPLOYED + ": the " + JOB + " job finds its targets by DNS"
                + " (each scaled scorer on its own), and this test replaces exactly that");
        Set<String> names = new TreeSet<>();
        job.path("dns_sd_configs").forEach(sd -> sd.path("names").forEach(n -> names.add(n.asText())));
        assertEquals(targetsByService.keySet(), names, DEPLOYED + ": DNS names of the " + JOB + " job (compose services)");
        ArrayNode groups = PromQueries.YAML.createArrayNode();
        targetsByService.forEach((service, targets) -> {
            ObjectNode group = groups.addObject();
            targets.forEach(group.putArray("targets")::add);
            group.putObject("labels").put("__meta_dns_name", service);
        });
        job.remove("dns_sd_configs");
        job.set("static_configs", groups);
        return config;
    }

    /** Where docker-compose.yml's prometheus service mounts {@code containerPath} from, in this repository. */
    private static Path composeHostPath(String containerPath) {
        JsonNode volumes = PromQueries.read(RepoFiles.path("docker-compose.yml"))
                .path("services").path("prometheus").path("volumes");
        for (JsonNode v : volumes) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[1].equals(containerPath)) {
                return RepoFiles.path(parts[0]).normalize();
            }
        }
        throw new AssertionError(DEPLOYED + " reads " + containerPath + ", which docker-compose.yml does not mount");
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new LinkedHashMap<>();
        metric.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    private static int compare(Map<String, String> a, Map<String, String> b) {
        return new TreeMap<>(a).toString().compareTo(new TreeMap<>(b).toString());
    }

    /** Waits until {@code promql} returns {@code n} series, failing with Prometheus' log if it never does. */
    private static void awaitSeries(LocalPrometheus prometheus, String promql, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int seen = -1;
        while (System.nanoTime() < deadline) {
            JsonNode res = prometheus.tryQuery(promql);
            if (res != null) {
                seen = res.path("data").path("result").size();
                if (seen == n) {
                    return;
                }
            }
            Thread.sleep(300);
        }
        fail("expected " + n + " series of " + promql + ", saw " + seen + "; up: " + prometheus.tryQuery("up")
                + "; log:\n" + prometheus.log());
    }

    private static JsonNode query(LocalPrometheus prometheus, String promql) throws InterruptedException {
        JsonNode res = prometheus.tryQuery(promql);
        if (res == null || !"success".equals(res.path("status").asText())) {
            fail("query " + promql + " failed: " + res);
        }
        return res;
    }
}
