package dev.radar.metrics;

import dev.radar.config.RadarProperties;
import dev.radar.demo.Demo;
import dev.radar.demo.DemoConfig;
import dev.radar.events.CheckpointSaved;
import dev.radar.kafka.CheckpointPublisher;
import dev.radar.kafka.KafkaSettings;
import dev.radar.testing.Waits;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the dashboards and alert rules query is what the services export: the demo's planner, scorer, aggregator and
 * web server, assembled by the composition root with their real constructors (no meter registered by the test), score
 * a training run, dead-letter a checkpoint outside the allowed roots and raise a stagnation alert; then every
 * {@code radar_*} series named in {@code grafana/dashboards/*.json} and {@code deploy/prometheus/radar-rules.yml}, and
 * every {@link MetricNames} meter, must be in the process's {@code /metrics}. A meter renamed, re-suffixed (a base
 * unit) or no longer registered by its component fails here, not on an empty panel.
 */
@Tag("integration")
class ExportedSeriesIT {
    private static final Pattern SERIES = Pattern.compile("\\bradar_[a-z0-9_]+");
    private static final String RUN = "exported-series-run";

    @Test
    void everySeriesTheDashboardsAndRulesQueryIsExportedByTheRunningServices() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Three checkpoints, and thresholds under which a window of three is a verdict whatever the tiny model's
        // scores: reasoning's gain is below 1 SDS and perception gains at least -1 (k = 0 standard errors).
        Map<String, String> verdictAlways = Map.of(
                "aggregator.stagnation.window", "3",
                "aggregator.stagnation.min.samples", "1",
                "aggregator.stagnation.stderr.factor", "0",
                "aggregator.stagnation.min.gain", "1",
                "aggregator.perception.min.gain", "-1");
        Demo demo = new Demo(new DemoConfig(null, DemoConfig.DEFAULT_CHECKPOINTS, 3, 2, 0, 0, RUN, 1000),
                new PrintStream(log, true), verdictAlways);
        try {
            demo.start();
            demo.playTrainingRun();
            assertTrue(demo.awaitCompletion(180_000), "the run's 3 checkpoints complete: " + log);
            KafkaSettings kafka = new KafkaSettings(RadarProperties.of(Map.of(KafkaSettings.BOOTSTRAP, demo.kafkaBootstrap())));
            try (CheckpointPublisher publisher = new CheckpointPublisher(kafka, "exported-series-it")) {
                publisher.publish(CheckpointSaved.newBuilder().setRunId(RUN).setStep(9_000)
                        .setCheckpointUri("/outside/the/allowed/roots").setTokensSeen(0L).setAttributes(Map.of()).build());
            }
            Waits.until("the stagnation alert of " + RUN, Duration.ofSeconds(60),
                    () -> !demo.aggregator().alerts(RUN).isEmpty());

            Set<String> wanted = new TreeSet<>(queriedSeries());
            wanted.addAll(meterNames());
            HttpClient http = HttpClient.newHttpClient();
            List<String> missing = new ArrayList<>();
            // The gauges follow the aggregator on metrics.refresh.ms, the planner's dead letter comes asynchronously.
            try {
                Waits.until("every queried series in /metrics", Duration.ofSeconds(60), () -> {
                    Set<String> exported = exportedSeries(http, demo.webUrl() + "metrics");
                    missing.clear();
                    wanted.stream().filter(s -> !exported.contains(s)).forEach(missing::add);
                    return missing.isEmpty();
                });
            } catch (AssertionError e) {
                fail("queried or pinned but not exported by the running services: " + missing, e);
            }
        } finally {
            demo.stop();
        }
    }

    /** Every radar_* name in a dashboard target or an alert/recording rule expression. */
    private static Set<String> queriedSeries() {
        List<PromQueries.Query> queries = new ArrayList<>(PromQueries.dashboardQueries());
        queries.addAll(PromQueries.ruleQueries());
        Set<String> names = new TreeSet<>();
        for (PromQueries.Query q : queries) {
            Matcher m = SERIES.matcher(q.expr());
            while (m.find()) {
                names.add(m.group());
            }
        }
        assertTrue(names.size() >= 15, "the dashboards and rules name the radar series: " + names);
        return names;
    }

    /** The Prometheus name of every meter in MetricNames: its `_count` (timers, summaries), `_total` or the gauge. */
    private static Set<String> meterNames() throws IllegalAccessException {
        Set<String> exportedForms = new TreeSet<>();
        for (Field f : MetricNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().equals("THROUGHPUT_UNIT")) {
                exportedForms.add(((String) f.get(null)).replace('.', '_'));
            }
        }
        return exportedForms;
    }

    /** Sample names in the scrape, plus each family's base name (a name whose samples end _total, _count, ...). */
    private static Set<String> exportedSeries(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Set<String> names = r.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
            Set<String> families = new TreeSet<>(names);
            for (String n : names) {
                families.add(n.replaceAll("_(total|count|sum|max|bucket)$", ""));
                families.add(n.replaceAll("_(seconds|samples_per_second)_(count|sum|max|bucket)$", ""));
            }
            return families;
        } catch (Exception e) {
            return Set.of();
        }
    }
}
