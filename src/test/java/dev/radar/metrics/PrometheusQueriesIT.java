package dev.radar.metrics;

import dev.radar.app.Assembly;
import dev.radar.web.WebConfig;
import dev.radar.web.WebServer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.AlertKind;
import dev.radar.testing.RepoFiles;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.radar.metrics.ReportFixtures.alert;
import static dev.radar.metrics.ReportFixtures.report;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real Prometheus scrapes a radar /metrics route fed with two runs' reports, a stagnation alert and live scorer,
 * planner and dead-letter meters; then every dashboard query and alert rule runs through Prometheus' HTTP API.
 * Dashboard queries must return data; alert conditions may be empty when not firing, but each metric selector in
 * them must match a scraped series (a renamed metric or label fails either way). The meters here are registered by the
 * test under {@link MetricNames}, for data that moves; that the services really export those names is
 * {@link ExportedSeriesIT}'s part.
 */
@Tag("integration")
class PrometheusQueriesIT {
    private static final Pattern SELECTOR = Pattern.compile("\\b(radar_[a-z0-9_]+)(\\{[^}]*})?");
    private LocalPrometheus prometheus;

    @Test
    void everyDashboardAndRuleQueryWorksAgainstRealPrometheus(@TempDir Path tmp) throws Exception {
        LocalPrometheus.requireInstalled();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        try (RadarMetrics metrics = RadarMetrics.create();
             WebServer server = new WebServer(WebConfig.loopbackAnyPort())
                     .get("/metrics", Assembly.metricsRoute(metrics, () -> { }))) {
            feed(metrics, load);
            server.start();
            prometheus = LocalPrometheus.start(tmp, String.join("\n",
                    "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s",
                    "rule_files:", "  - " + RepoFiles.path("deploy/prometheus/radar-rules.yml"),
                    "scrape_configs:", "  - job_name: radar", "    static_configs:",
                    "      - targets: ['127.0.0.1:" + server.port() + "']", ""));

            // rate() needs two samples in its window; ALERTS needs one rule evaluation with stagnation = 1.
            awaitData(List.of("radar_ability_sds", "rate(radar_scorer_samples_total[1m])",
                    "rate(radar_scorer_shard_latency_seconds_bucket[1m])", "increase(radar_dead_letters_total[1m]) > 0",
                    "ALERTS"));
            checkRulesLoaded();
            List<String> failures = new ArrayList<>();
            checkDashboards(failures);
            checkRules(failures);
            if (!failures.isEmpty()) {
                fail(failures.size() + " queries failed:\n" + String.join("\n", failures));
            }
        } finally {
            load.shutdownNow();
            if (prometheus != null) {
                prometheus.close();
            }
        }
    }

    /** Two runs (a: complete steps out of order + a partial newer one, stagnating reasoning; b: one step) and live meters. */
    private static void feed(RadarMetrics metrics, ScheduledExecutorService load) {
        AbilityGauges gauges = new AbilityGauges(metrics.registry());
        List<AbilityAlert> alerts = List.of(alert("run-a", "reasoning", 2000, AlertKind.STAGNATION));
        AtomicInteger tick = new AtomicInteger();
        ReportFixtures.registerComponentMeters(metrics);
        metrics.markUp("scorer");
        metrics.markUp("web");
        var r = metrics.registry();
        Timer latency = Timer.builder(MetricNames.SCORER_SHARD_LATENCY).publishPercentileHistogram().register(r);
        Timer modelLoad = Timer.builder(MetricNames.SCORER_MODEL_LOAD).register(r);
        DistributionSummary throughput = DistributionSummary.builder(MetricNames.SCORER_SHARD_THROUGHPUT)
                .baseUnit(MetricNames.THROUGHPUT_UNIT).register(r);
        Runnable step = () -> {
            int t = tick.incrementAndGet();
            double progress = Math.min(0.95, 0.1 + t * 0.01);  // the newest evaluation of run-a keeps progressing
            List<AbilityReport> reports = List.of(
                    report("run-a", 2000, true, 1.0, 0.62, 0.41), report("run-a", 1000, true, 1.0, 0.55, 0.38),
                    report("run-a", 3000, false, progress, 0.1, 0.1), report("run-b", 1000, true, 1.0, 0.58, 0.44));
            gauges.update(reports, alerts);
            r.counter(MetricNames.SCORER_SAMPLES, "result", "scored").increment(16);
            r.counter(MetricNames.SCORER_SAMPLES, "result", t % 5 == 0 ? "failed" : "scored").increment();
            latency.record(Duration.ofMillis(100 + ThreadLocalRandom.current().nextInt(400)));
            modelLoad.record(Duration.ofMillis(1500 + ThreadLocalRandom.current().nextInt(1000)));
            throughput.record(30 + ThreadLocalRandom.current().nextInt(20));
            r.counter(MetricNames.SCORER_SHARD_RETRIES).increment();
            r.counter(MetricNames.PLANNER_EVALUATIONS, "outcome", "planned").increment();
            r.counter(MetricNames.DEAD_LETTERS, "component", "planner", "reason", "bad-step").increment();
        };
        step.run();
        load.scheduleAtFixedRate(step, 200, 200, TimeUnit.MILLISECONDS);
    }

    private void awaitData(List<String> queries) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        List<String> missing = queries;
        while (System.nanoTime() < deadline) {
            missing = new ArrayList<>();
            for (String q : queries) {
                JsonNode res = tryQuery(q);
                if (res == null || res.path("data").path("result").isEmpty()) {
                    missing.add(q);
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(500);
        }
        fail("no data in Prometheus for " + missing + "; log:\n" + prometheus.log());
    }

    private void checkRulesLoaded() throws Exception {
        JsonNode rules = prometheus.get("/api/v1/rules");
        TreeSet<String> names = new TreeSet<>();
        for (JsonNode g : rules.path("data").path("groups")) {
            for (JsonNode rule : g.path("rules")) {
                names.add(rule.path("name").asText());
                assertFalse("err".equals(rule.path("health").asText()), () -> "rule " + rule);
            }
        }
        assertTrue(names.containsAll(List.of("RadarReasoningStagnation", "RadarEvaluationStuck", "RadarScorersDown",
                "RadarDeadLettersRising")), "rules loaded: " + names);
    }

    private void checkDashboards(List<String> failures) throws Exception {
        for (Path file : PromQueries.dashboardFiles()) {
            JsonNode dashboard = PromQueries.read(file);
            Map<String, String> values = new LinkedHashMap<>();
            for (JsonNode v : dashboard.path("templating").path("list")) {
                String name = v.path("name").asText();
                List<String> options = variableValues(PromQueries.variables(dashboard).get(name));
                if (options.isEmpty()) {
                    failures.add(file.getFileName() + " variable $" + name + ": no values");
                }
                // Single-value variables get the first value; multi-value ones all of them, as Grafana's regex.
                values.put(name, options.isEmpty() ? "none"
                        : v.path("multi").asBoolean() ? String.join("|", options) : options.get(0));
            }
            for (PromQueries.Query q : PromQueries.dashboardQueries(file)) {
                check(q, PromQueries.substitute(q.expr(), values), true, failures);
            }
        }
    }

    private void checkRules(List<String> failures) throws Exception {
        for (PromQueries.Query q : PromQueries.ruleQueries()) {
            check(q, q.expr(), !q.alert(), failures);
        }
    }

    /** Runs the query; {@code needData}: an empty result fails. Every radar_* selector in it must match a series. */
    private void check(PromQueries.Query q, String expr, boolean needData, List<String> failures) throws Exception {
        JsonNode res = tryQuery(expr);
        if (res == null || !"success".equals(res.path("status").asText())) {
            failures.add(q.source() + ": error " + (res == null ? "(no answer)" : res.path("error").asText()) + "\n    " + expr);
            return;
        }
        if (needData && res.path("data").path("result").isEmpty()) {
            failures.add(q.source() + ": empty result\n    " + expr);
        }
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            String selector = m.group();
            JsonNode sel = tryQuery(selector);
            if (sel == null || sel.path("data").path("result").isEmpty()) {
                failures.add(q.source() + ": selector " + selector + " matches no scraped series");
            }
        }
    }

    private List<String> variableValues(String labelValuesQuery) throws Exception {
        Matcher m = PromQueries.LABEL_VALUES.matcher(labelValuesQuery);
        assertTrue(m.matches(), labelValuesQuery);
        TreeSet<String> values = new TreeSet<>();
        JsonNode res = tryQuery("group by (" + m.group(2) + ") (" + m.group(1) + ")");
        if (res != null) {
            res.path("data").path("result").forEach(s -> values.add(s.path("metric").path(m.group(2)).asText()));
        }
        return new ArrayList<>(values);
    }

    /** POST /api/v1/query; null when Prometheus is not answering yet. */
    private JsonNode tryQuery(String promql) throws InterruptedException {
        return prometheus.tryQuery(promql);
    }
}
