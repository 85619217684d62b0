package dev.radar.web;

import dev.radar.checkpoint.CheckpointValidator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorTopology;
import dev.radar.aggregate.StoreQueries;
import dev.radar.config.RadarProperties;
import dev.radar.events.DeadLetter;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.TaskExpectation;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The curve page and the read API on real aggregator state: the real topology (TopologyTestDriver) fed two runs of
 * 40 checkpoints each (run-b's reasoning plateaus, so a stagnation alert fires; run-a has a checkpoint the planner
 * rejected and one still being scored), served by the real WebServer and driven in headless Chromium over the
 * DevTools protocol. Screenshots of the two-run overlay at 1024 and 1920 px go to target/screenshots/.
 */
@Tag("integration")
class CurvesPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String VERSION = "bench-v1-0123456789";
    private static final String[][] TASKS = {
            // task, source, ability, fine ability, candidates
            {"Wiki_animal_identification", "Wiki", "perception", "identification", "4"},
            {"MMBench_ocr", "MMBench", "perception", "coarse_perception", "4"},
            {"MathVista_counting", "MathVista", "reasoning", "mathematical_reasoning", "5"},
            {"Spatial_position", "Spatial", "reasoning", "spatial_reasoning", "4"}};
    private static final int SAMPLES = 10;
    private static final long STEP = 500;
    private static final long TOKENS_PER_STEP = 1_048_576L;

    @TempDir
    static Path stateDir;
    static TopologyTestDriver driver;
    static WebServer web;
    static String base;

    @BeforeAll
    static void feedTwoRunsAndServe() throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("aggregator.application.id", "curves-page-" + System.nanoTime());
        settings.put("aggregator.state.dir", stateDir.toString());
        settings.put("aggregator.report.interval.ms", "60000");
        settings.put("aggregator.stagnation.min.samples", "10");
        AggregatorConfig cfg = AggregatorConfig.from(RadarProperties.of(settings));
        driver = new TopologyTestDriver(AggregatorTopology.build(cfg), cfg.streamsProperties(KafkaSettings.of("unused:9092")),
                Instant.ofEpochMilli(1_000_000));
        TestInputTopic<String, SampleScore> scores = driver.createInputTopic(Topics.SAMPLE_SCORES.name(),
                new StringSerializer(), Topics.SAMPLE_SCORES.valueSerde().serializer());
        TestInputTopic<String, EvaluationPlanned> plans = driver.createInputTopic(Topics.EVALUATIONS.name(),
                new StringSerializer(), Topics.EVALUATIONS.valueSerde().serializer());
        TestInputTopic<String, DeadLetter> dead = driver.createInputTopic(Topics.DEAD_LETTERS.name(),
                new StringSerializer(), Topics.DEAD_LETTERS.valueSerde().serializer());
        for (int i = 0; i < 40; i++) {
            long step = (i + 1) * STEP;
            // run-a: both abilities rise; run-b: perception rises, reasoning flat (low noise) from checkpoint 20 on.
            feed(plans, scores, "run-a", step, 0.28 + 0.004 * i, 0.26 + 0.003 * i, 0.002, SAMPLES);
            feed(plans, scores, "run-b", step, 0.27 + 0.005 * i, i < 20 ? 0.25 + 0.004 * i : 0.33, 0.0005, SAMPLES);
        }
        feed(plans, scores, "run-a", 41 * STEP, 0.45, 0.38, 0.002, SAMPLES / 2); // still being scored
        dead.pipeInput("run-a/21000", DeadLetter.newBuilder().setComponent("planner").setSourceTopic(Topics.CHECKPOINTS.name())
                .setReason("checkpoint-not-loadable").setDetail("no radar-model.json or supported HF checkpoint in /ckpt/run-a/21000")
                .setRunId("run-a").setStep(21_000L).setFailedAtMs(5).build());
        web = new WebServer(WebConfig.loopbackAnyPort());
        ApiRoutes.addTo(web, new StoreQueries(driver::getKeyValueStore), null, new CheckpointValidator(List.of()));
        web.start();
        base = web.url();
    }

    /** Plans one checkpoint and scores {@code scored} of each task's samples: SDS alternate mean +- spread. */
    static void feed(TestInputTopic<String, EvaluationPlanned> plans, TestInputTopic<String, SampleScore> scores, String run,
                     long step, double perception, double reasoning, double spread, int scored) {
        String evaluationId = EventKeys.evaluationId(run, step, VERSION);
        List<TaskExpectation> tasks = new ArrayList<>();
        for (String[] t : TASKS) {
            tasks.add(TaskExpectation.newBuilder().setTask(t[0]).setSource(t[1]).setAbility(t[2]).setFineAbility(t[3])
                    .setExpectedSamples(SAMPLES).setChance(1.0 / Integer.parseInt(t[4])).build());
        }
        plans.pipeInput(EventKeys.checkpoint(run, step), EvaluationPlanned.newBuilder().setEvaluationId(evaluationId)
                .setRunId(run).setStep(step).setTokensSeen(step * TOKENS_PER_STEP)
                .setCheckpointUri("/ckpt/" + run + "/step-" + step).setBenchmark("m3-bench").setBenchmarkVersion(VERSION)
                .setShardCount(1).setExpectedSamples(SAMPLES * TASKS.length).setTasks(tasks)
                .setExpectedByAbility(Map.of()).setAttributes(Map.of("data_mix", run.equals("run-a") ? "web70" : "web50")).build());
        for (String[] t : TASKS) {
            double mean = t[2].equals("perception") ? perception : reasoning;
            for (int j = 0; j < scored; j++) {
                double sds = mean + (j % 2 == 0 ? spread : -spread) + (t[0].startsWith("Spatial") ? 0.02 : 0);
                scores.pipeInput(EventKeys.checkpoint(run, step), SampleScore.newBuilder().setEvaluationId(evaluationId)
                        .setRunId(run).setStep(step).setTokensSeen(step * TOKENS_PER_STEP).setBenchmarkVersion(VERSION)
                        .setTask(t[0]).setSource(t[1]).setAbility(t[2]).setFineAbility(t[3]).setSampleId(t[0] + j)
                        .setSds(sds).setCorrect(j % 3 != 0).build());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (web != null) {
            web.stop();
        }
        if (driver != null) {
            driver.close();
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void apiAnswersJsonErrorsFiltersStepsAndShowsFailures() throws Exception {
        HttpResponse<String> unknown = get("api/reports?run=nobody");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown run 'nobody'", JSON.readTree(unknown.body()).get("error").asText());
        assertEquals(404, get("api/curves?run=nobody").statusCode());
        assertEquals(404, get("api/alerts?run=nobody").statusCode());
        HttpResponse<String> badStep = get("api/reports?run=run-a&step=abc");
        assertEquals(400, badStep.statusCode());
        assertTrue(JSON.readTree(badStep.body()).get("error").asText().contains("step"));
        assertEquals(404, get("api/reports?run=run-a&step=777").statusCode());

        JsonNode one = json("api/reports?run=run-a&step=1500");
        assertEquals(1, one.size());
        assertEquals(1500, one.get(0).get("step").asLong());
        assertEquals("/ckpt/run-a/step-1500", one.get(0).get("checkpointUri").asText());
        assertEquals("web70", one.get(0).get("attributes").get("data_mix").asText());
        assertEquals(4, one.get(0).get("tasks").size());
        JsonNode counting = null;
        for (JsonNode t : one.get(0).get("tasks")) {
            counting = t.get("name").asText().equals("MathVista_counting") ? t : counting;
        }
        assertEquals(0.2, counting.get("chance").asDouble(), 1e-12, "MathVista_counting has 5 candidates");

        JsonNode summaries = json("api/reports?run=run-a&tasks=false");
        assertEquals(42, summaries.size(), "40 complete, 1 partial, 1 failed");
        assertFalse(summaries.get(0).has("tasks"));
        JsonNode failed = summaries.get(41);
        assertEquals(21_000, failed.get("step").asLong());
        assertEquals("failed", failed.get("status").asText());
        assertEquals("checkpoint-not-loadable", failed.get("failures").get(0).get("reason").asText());
        assertEquals("partial", summaries.get(40).get("status").asText());
        assertTrue(summaries.get(40).get("progress").asDouble() < 1.0);

        JsonNode curves = json("api/curves?run=run-a");
        JsonNode p = curves.get("reasoning").get(0);
        assertEquals("ability", p.get("level").asText());
        assertEquals(VERSION, p.get("benchmarkVersion").asText());
        assertEquals(20, p.get("samples").asInt());
        assertEquals((0.2 + 0.25) / 2, p.get("chance").asDouble(), 1e-12);
        assertEquals("fine", curves.get("spatial_reasoning").get(0).get("level").asText());

        JsonNode runs = json("api/runs");
        assertEquals(1, runs.get(0).get("failedCheckpoints").asInt());
        assertEquals(List.of("reasoning"), List.of(runs.get(1).get("stagnating").get(0).asText()));
        assertEquals(1, json("api/failures?run=run-a").size());
    }

    @Test
    void twoRunOverlayIsReadableAndInteractiveInHeadlessChromium() throws Exception {
        assumeTrue(Files.isExecutable(HeadlessChromium.BINARY), "Debian's chromium is not installed (.ci/run installs it)");
        Path shots = Path.of("target", "screenshots");
        try (HeadlessChromium chrome = new HeadlessChromium()) {
            for (int width : new int[]{1920, 1024}) {
                chrome.viewport(width, width == 1920 ? 1080 : 768);
                chrome.navigate(base + "#runs=run-a,run-b");
                chrome.waitFor("document.querySelectorAll('path.curve').length === 4 && document.querySelector('#radar-shape') !== null"
                        + " && document.querySelectorAll('#tasks tbody tr').length === 4", 30_000);
                chrome.screenshot(shots.resolve("curves-two-runs-" + width + ".png"));
                double chartWidth = chrome.eval("document.getElementById('curves').getBoundingClientRect().width").asDouble();
                assertTrue(chartWidth > width * 0.9, "the curve chart takes the width at " + width + " px: " + chartWidth);
                // Thinned x labels: none overlap, none is clipped by the chart.
                JsonNode ticks = chrome.eval("[...document.querySelectorAll('#curves text.xtick')].map(t => { const b = t.getBBox();"
                        + " return [t.textContent, b.x, b.x + b.width]; })");
                assertTrue(ticks.size() >= 4 && ticks.size() <= width / 80, "x ticks at " + width + ": " + ticks);
                for (int i = 1; i < ticks.size(); i++) {
                    assertTrue(ticks.get(i).get(1).asDouble() > ticks.get(i - 1).get(2).asDouble() + 4, "x labels overlap: " + ticks);
                }
                assertTrue(ticks.get(ticks.size() - 1).get(2).asDouble() <= chrome.eval(
                        "document.getElementById('curves').viewBox.baseVal.width").asDouble(), "last x label inside: " + ticks);
            }
            // Nice y ticks: multiples of their spacing, at most 3 decimals.
            JsonNode yTicks = chrome.eval("[...document.querySelectorAll('#curves text')].filter(t => t.getAttribute('text-anchor') === 'end'"
                    + " && !t.textContent.startsWith('chance')).map(t => t.textContent)");
            for (JsonNode t : yTicks) {
                assertTrue(t.asText().matches("0(\\.\\d{1,3})?|1"), "y tick " + t);
            }
            assertTrue(chrome.eval("document.querySelectorAll('.band').length").asInt() == 4, "standard-error bands");
            assertTrue(chrome.eval("document.querySelectorAll('.chance-line').length").asInt() >= 1, "chance line");
            assertEquals("STAGNATION", chrome.eval("document.querySelector('.alert-marker[data-run=\"run-b\"]').dataset.kind").asText());
            assertTrue(chrome.eval("document.querySelector('.failed-marker[data-run=\"run-a\"][data-step=\"21000\"]') !== null").asBoolean(),
                    "failed checkpoint on the chart");
            assertTrue(chrome.eval("document.querySelector('#failures').textContent").asText().contains("checkpoint-not-loadable"));
            assertTrue(chrome.eval("document.querySelector('.run[data-run=\"run-a\"] .badge.failed').textContent").asText().contains("1 failed"));

            // Hover: the tooltip shows the values of the nearest step, as the API has them.
            JsonNode apiPoint = json("api/curves?run=run-b").get("reasoning").get(9);
            JsonNode at = chrome.eval("(() => { const p = [...document.querySelectorAll('path.curve[data-series=\"run-b|reasoning\"]')][0];"
                    + " const pts = p.getAttribute('d').split(/[ML ]/).filter(Boolean); const [x, y] = pts[9].split(',').map(Number);"
                    + " const svg = document.getElementById('curves'); const r = svg.getBoundingClientRect();"
                    + " const k = r.width / svg.viewBox.baseVal.width; return [r.left + x * k, r.top + y * k]; })()");
            chrome.mouseMove(at.get(0).asDouble(), at.get(1).asDouble());
            chrome.waitFor("document.getElementById('tooltip').style.display === 'block'", 5_000);
            String tip = chrome.eval("document.getElementById('tooltip').textContent").asText();
            assertTrue(tip.contains("step " + apiPoint.get("step").asLong()), tip);
            assertTrue(tip.contains(String.format(Locale.ROOT, "SDS %.3f", apiPoint.get("sds").asDouble())), tip);
            assertTrue(tip.contains("n " + apiPoint.get("samples").asInt()), tip);
            chrome.screenshot(shots.resolve("curves-tooltip-1024.png"));

            // Legend toggle hides a series and the URL keeps it.
            chrome.eval("document.querySelector('.legend .item[data-series=\"run-a|reasoning\"]').click()");
            assertEquals(0, chrome.eval("document.querySelectorAll('path.curve[data-series=\"run-a|reasoning\"]').length").asInt());
            assertEquals(3, chrome.eval("document.querySelectorAll('path.curve').length").asInt());
            chrome.eval("(() => { const s = document.getElementById('x-axis'); s.value = 'tokens'; s.onchange({target: s}); })()");
            chrome.eval("(() => { const s = document.getElementById('x-scale'); s.value = 'log'; s.onchange({target: s}); })()");
            String hash = chrome.eval("location.hash").asText();
            assertTrue(hash.contains("x=tokens") && hash.contains("scale=log") && hash.contains("hidden=run-a%7Creasoning"), hash);

            // The URL restores the view in a fresh page load.
            chrome.navigate("about:blank");
            chrome.navigate(base + hash);
            chrome.waitFor("document.querySelectorAll('path.curve').length === 3", 30_000);
            assertEquals("tokens", chrome.eval("document.getElementById('x-axis').value").asText());
            assertEquals("log", chrome.eval("document.getElementById('x-scale').value").asText());
            JsonNode tokenTicks = chrome.eval("[...document.querySelectorAll('#curves text.xtick')].map(t => t.textContent)");
            assertTrue(tokenTicks.toString().contains("B\"") || tokenTicks.toString().contains("M\""), "token axis formatted: " + tokenTicks);
            chrome.screenshot(shots.resolve("curves-restored-tokens-log-1024.png"));

            // CSV export equals the API: one row per (run, ability, step) with the same numbers.
            String href = chrome.eval("document.getElementById('export-csv').href").asText();
            String csv = URLDecoder.decode(href.substring(href.indexOf(',') + 1), StandardCharsets.UTF_8);
            List<String> rows = csv.lines().toList();
            assertEquals("run,ability,level,benchmarkVersion,step,tokensSeen,sds,accuracy,stderr,samples,chance", rows.get(0));
            int expected = 0;
            String[] numeric = {"step", "tokensSeen", "sds", "accuracy", "stderr", "samples", "chance"};
            for (String run : List.of("run-a", "run-b")) {
                JsonNode curves = json("api/curves?" + "run=" + run);
                for (var it = curves.fields(); it.hasNext(); ) {
                    var e = it.next();
                    expected += e.getValue().size();
                    for (JsonNode point : e.getValue()) {
                        String prefix = String.join(",", run, e.getKey(), point.get("level").asText(),
                                point.get("benchmarkVersion").asText(), point.get("step").asText()) + ",";
                        String[] row = rows.stream().filter(r -> r.startsWith(prefix)).findFirst()
                                .orElseThrow(() -> new AssertionError("no CSV row for " + prefix)).split(",");
                        for (int i = 0; i < numeric.length; i++) {
                            assertEquals(point.get(numeric[i]).asDouble(), Double.parseDouble(row[4 + i]),
                                    prefix + numeric[i]);
                        }
                    }
                }
            }
            assertEquals(expected, rows.size() - 1);

            // Drill-down: a task row opens its curve over steps; the per-task CSV equals the checkpoint's report.
            chrome.eval("document.querySelector('#tasks tbody tr[data-task=\"MMBench_ocr\"]').click()");
            chrome.waitFor("document.querySelector('path.task-curve[data-task=\"MMBench_ocr\"]') !== null", 10_000);
            assertTrue(chrome.eval("location.hash").asText().contains("task=MMBench_ocr"));
            String tasksHref = chrome.eval("document.getElementById('export-tasks').href").asText();
            List<String> taskRows = URLDecoder.decode(tasksHref.substring(tasksHref.indexOf(',') + 1), StandardCharsets.UTF_8).lines().toList();
            JsonNode report = json("api/reports?run=run-a&step=20000").get(0);
            assertEquals(report.get("tasks").size() + 1, taskRows.size());
            JsonNode t0 = report.get("tasks").get(0);
            String[] cells = taskRows.get(1).split(",");
            assertEquals(t0.get("name").asText(), cells[0]);
            String[] fields = {"sds", "accuracy", "stderr", "chance", "samples", "expectedSamples", "failed"};
            for (int i = 0; i < fields.length; i++) {
                assertEquals(t0.get(fields[i]).asDouble(), Double.parseDouble(cells[i + 1]), fields[i]);
            }
            chrome.screenshot(shots.resolve("curves-drill-down-1024.png"));
        }
    }
}
