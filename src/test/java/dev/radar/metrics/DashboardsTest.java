package dev.radar.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure of the provisioned Grafana dashboards (no Grafana here; their PromQL runs in PrometheusQueriesIT). */
class DashboardsTest {

    private static String provisionedUid() {
        JsonNode ds = PromQueries.read(RepoFiles.path("grafana/provisioning/datasources/prometheus.yaml"));
        JsonNode first = ds.path("datasources").get(0);
        assertEquals("prometheus", first.path("type").asText());
        return first.path("uid").asText();
    }

    @Test
    void dashboardProviderPointsAtTheMountedFolder() {
        JsonNode p = PromQueries.read(RepoFiles.path("grafana/provisioning/dashboards/radar.yaml")).path("providers").get(0);
        assertEquals("file", p.path("type").asText());
        assertEquals("/var/lib/grafana/dashboards", p.path("options").path("path").asText());
    }

    @Test
    void everyDashboardIsWellFormed() {
        String uid = provisionedUid();
        assertFalse(uid.isBlank());
        List<Path> files = PromQueries.dashboardFiles();
        assertTrue(files.size() >= 3, "dashboards: " + files);
        Set<String> dashboardUids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            String n = f.getFileName().toString();
            JsonNode d = PromQueries.read(f);
            if (d.path("schemaVersion").asInt() < 39) {
                problems.add(n + ": schemaVersion < 39");
            }
            if (!dashboardUids.add(d.path("uid").asText()) || d.path("uid").asText().isBlank()) {
                problems.add(n + ": missing or duplicate dashboard uid");
            }
            if (d.path("title").asText().isBlank()) {
                problems.add(n + ": no title");
            }
            Map<String, String> vars = PromQueries.variables(d);
            for (JsonNode v : d.path("templating").path("list")) {
                String name = v.path("name").asText();
                if (!uid.equals(v.path("datasource").path("uid").asText())) {
                    problems.add(n + ": variable " + name + " datasource uid");
                }
                if (!PromQueries.LABEL_VALUES.matcher(vars.get(name)).matches()) {
                    problems.add(n + ": variable " + name + " query is not label_values(...): " + vars.get(name));
                }
            }
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : PromQueries.panels(d)) {
                String where = n + " panel '" + p.path("title").asText() + "'";
                if (!p.path("id").isInt() || !ids.add(p.path("id").asInt())) {
                    problems.add(where + ": missing or duplicate id " + p.path("id"));
                }
                JsonNode pos = p.path("gridPos");
                if (!pos.has("h") || !pos.has("w") || pos.path("x").asInt() + pos.path("w").asInt() > 24) {
                    problems.add(where + ": bad gridPos " + pos);
                }
                if ("row".equals(p.path("type").asText())) {
                    continue;
                }
                if (!uid.equals(p.path("datasource").path("uid").asText())) {
                    problems.add(where + ": datasource uid is not " + uid);
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no targets");
                }
                Set<String> refIds = new HashSet<>();
                for (JsonNode t : p.path("targets")) {
                    String expr = t.path("expr").asText();
                    if (expr.isBlank()) {
                        problems.add(where + ": target without expr");
                    }
                    if (!refIds.add(t.path("refId").asText())) {
                        problems.add(where + ": duplicate refId");
                    }
                    if (!uid.equals(t.path("datasource").path("uid").asText())) {
                        problems.add(where + ": target datasource uid is not " + uid);
                    }
                    for (String var : PromQueries.referencedVariables(expr)) {
                        if (!vars.containsKey(var)) {
                            problems.add(where + ": undefined variable $" + var);
                        }
                    }
                }
                String repeat = p.path("repeat").asText("");
                if (!repeat.isEmpty() && !vars.containsKey(repeat)) {
                    problems.add(where + ": repeats over undefined variable " + repeat);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void abilityDashboardHasTheRunVariableAndAStepPanel() {
        JsonNode d = PromQueries.read(RepoFiles.path("grafana/dashboards/radar-abilities.json"));
        assertEquals("label_values(radar_ability_sds, run)", PromQueries.variables(d).get("run"));
        assertTrue(PromQueries.dashboardQueries().stream().anyMatch(q -> q.expr().contains("radar_latest_step")));
    }

    /**
     * Every XY chart plots the per-step curve: an instant table query of radar_curve_* (every complete step, not the
     * latest gauge over time), x = the step or tokens label converted to a number, x axis without a percent unit,
     * lines drawn, one series per ability (and run).
     */
    @Test
    void xyChartsPlotThePerStepCurveWithCorrectUnits() {
        int charts = 0;
        for (java.nio.file.Path file : PromQueries.dashboardFiles()) {
            for (JsonNode p : PromQueries.read(file).path("panels")) {
                if (!p.path("type").asText().equals("xychart")) {
                    continue;
                }
                charts++;
                String where = file.getFileName() + " '" + p.path("title").asText() + "'";
                for (JsonNode t : p.path("targets")) {
                    assertTrue(t.path("expr").asText().contains("radar_curve_"), where + ": " + t.path("expr"));
                    assertTrue(t.path("instant").asBoolean() && t.path("format").asText().equals("table"), where);
                }
                String x = p.path("options").path("series").get(0).path("x").path("matcher").path("options").asText();
                assertTrue(x.equals("step") || x.equals("tokens"), where + " x = " + x);
                assertTrue(p.path("transformations").toString().contains("\"targetField\":\"" + x + "\""), where + ": x converted to a number");
                assertTrue(p.path("transformations").toString().contains("partitionByValues"), where + ": a series per ability");
                JsonNode xOverride = null;
                for (JsonNode o : p.path("fieldConfig").path("overrides")) {
                    xOverride = o.path("matcher").path("options").asText().equals(x) ? o : xOverride;
                }
                assertTrue(xOverride != null && !xOverride.toString().contains("percent"), where + ": x axis unit");
                assertEquals("points_and_lines", p.path("fieldConfig").path("defaults").path("custom").path("show").asText(), where);
            }
        }
        assertTrue(charts >= 6, "per-step XY charts: " + charts);
    }

    @Test
    void substitutionCoversEveryVariableSyntax() {
        assertEquals("rate(x{run=~\"a|b\", r=\"a\"}[1m])",
                PromQueries.substitute("rate(x{run=~\"${runs:regex}\", r=\"$run\"}[$__rate_interval])",
                        Map.of("runs", "a|b", "run", "a")));
    }
}
