package dev.radar.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radar.testing.RepoFiles;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Every PromQL expression of grafana/dashboards/*.json and deploy/prometheus/radar-rules.yml, for the tests. */
final class PromQueries {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)$");
    /** $name, ${name} and ${name:format}, Grafana's variable syntaxes. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}|\\$([a-zA-Z_][a-zA-Z0-9_]*)");

    private PromQueries() {
    }

    /** One expression and where it comes from. {@code alert} marks alert rule conditions (empty when not firing). */
    record Query(String source, String expr, boolean alert) {
    }

    static List<Path> dashboardFiles() {
        return RepoFiles.list("grafana/dashboards", ".json");
    }

    static JsonNode read(Path p) {
        try {
            return (p.toString().endsWith(".json") ? JSON : YAML).readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Panels of a dashboard, those nested in collapsed rows included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** Template variable name to its query ({@code label_values(...)}), per dashboard. */
    static Map<String, String> variables(JsonNode dashboard) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            JsonNode q = v.path("query");
            out.put(v.path("name").asText(), q.isObject() ? q.path("query").asText() : q.asText());
        }
        return out;
    }

    static List<Query> dashboardQueries() {
        List<Query> out = new ArrayList<>();
        dashboardFiles().forEach(f -> out.addAll(dashboardQueries(f)));
        return out;
    }

    static List<Query> dashboardQueries(Path file) {
        List<Query> out = new ArrayList<>();
        for (JsonNode p : panels(read(file))) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query(file.getFileName() + " #" + p.path("id").asInt() + " " + p.path("title").asText()
                        + " " + t.path("refId").asText(), t.path("expr").asText(), false));
            }
        }
        return out;
    }

    static List<Query> ruleQueries() {
        List<Query> out = new ArrayList<>();
        JsonNode rules = read(RepoFiles.path("deploy/prometheus/radar-rules.yml"));
        for (JsonNode g : rules.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                boolean alert = r.has("alert");
                out.add(new Query("radar-rules.yml " + (alert ? r.path("alert") : r.path("record")).asText(),
                        r.path("expr").asText().trim(), alert));
            }
        }
        return out;
    }

    /** An executable of the Debian prometheus package: /usr/bin first, then PATH. */
    /** POST {@code promql} to Prometheus' /api/v1/query at {@code prometheusUrl}; null while it is not answering yet. */
    static JsonNode tryQuery(HttpClient http, String prometheusUrl, String promql) throws InterruptedException {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(res.body());
        } catch (IOException e) {
            return null;
        }
    }

    static Optional<Path> tool(String name) {
        Stream<String> dirs = Stream.concat(Stream.of("/usr/bin"),
                Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        return dirs.filter(d -> !d.isBlank()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** Variable names an expression refers to ({@code $__} built-ins excluded). */
    static List<String> referencedVariables(String expr) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            if (!name.startsWith("__")) {
                names.add(name);
            }
        }
        return names;
    }

    /** Replaces Grafana's built-in intervals and the given variable values, as Grafana would before querying. */
    static String substitute(String expr, Map<String, String> values) {
        String s = expr.replace("$__rate_interval", "1m").replace("${__rate_interval}", "1m")
                .replace("$__interval", "15s").replace("$__range", "5m");
        Matcher m = VARIABLE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no value for $" + name + " in " + expr);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
