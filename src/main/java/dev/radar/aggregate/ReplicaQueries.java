package dev.radar.aggregate;

import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import dev.radar.events.DeadLetter;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link AbilityQueries} over every replica of the aggregator: this one's stores plus those of the others, asked at
 * the {@code application.server} each announced to Kafka Streams ({@link ReplicaEndpoint}). Each store key lives on
 * exactly one active task, so the answers are disjoint and their union is the full view, whichever replica is
 * asked. A replica that does not answer within {@code timeout} is left out (logged), rather than failing the page.
 */
final class ReplicaQueries implements AbilityQueries {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaQueries.class);
    private static final Comparator<AbilityReport> BY_STEP =
            Comparator.comparingLong(AbilityReport::getStep).thenComparing(AbilityReport::getBenchmarkVersion);

    private final AbilityQueries local;
    private final Function<String, List<AbilityReport>> localHistory;
    private final Supplier<Collection<HostInfo>> others;
    private final Duration timeout;
    private final HttpClient http;

    /** @param others the other replicas' endpoints now (never this one) */
    ReplicaQueries(AbilityQueries local, Function<String, List<AbilityReport>> localHistory,
                   Supplier<Collection<HostInfo>> others, Duration timeout) {
        this.local = local;
        this.localHistory = localHistory;
        this.others = others;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public List<String> runs() {
        TreeSet<String> runs = new TreeSet<>(local.runs());
        ask("runs", null, ReplicaCodec::decodeRuns).forEach(runs::addAll);
        return List.copyOf(runs);
    }

    @Override
    public List<AbilityReport> reports(String runId) {
        List<AbilityReport> out = new ArrayList<>(local.reports(runId));
        ask("reports", runId, b -> ReplicaCodec.REPORTS.deserializer().deserialize("", b)).forEach(out::addAll);
        out.sort(BY_STEP);
        return out;
    }

    /** Every evaluation of the run, over all replicas (see {@link EvaluationHistory}). */
    List<AbilityReport> history(String runId) {
        List<AbilityReport> out = new ArrayList<>(localHistory.apply(runId));
        ask("history", runId, b -> ReplicaCodec.REPORTS.deserializer().deserialize("", b)).forEach(out::addAll);
        out.sort(BY_STEP.thenComparing(AbilityReport::getEvaluationId));
        return out;
    }

    @Override
    public Map<String, List<CurvePoint>> curves(String runId) {
        // A run's curves live on the one task that owns the run: the first non-empty answer is the whole.
        Map<String, List<CurvePoint>> mine = local.curves(runId);
        if (!mine.isEmpty()) {
            return mine;
        }
        for (Map<String, List<CurvePoint>> theirs : ask("curves", runId, ReplicaCodec::decodeCurves)) {
            if (!theirs.isEmpty()) {
                return new TreeMap<>(theirs);
            }
        }
        return mine;
    }

    @Override
    public Optional<String> curvesVersion(String runId) {
        Optional<String> mine = local.curvesVersion(runId);
        if (mine.isPresent()) {
            return mine;
        }
        return ask("curves-version", runId, b -> new String(b, StandardCharsets.UTF_8)).stream()
                .filter(v -> !v.isEmpty()).findFirst();
    }

    @Override
    public List<AbilityAlert> alerts(String runId) {
        return fromOwner(local.alerts(runId), "alerts", runId, b -> ReplicaCodec.ALERTS.deserializer().deserialize("", b));
    }

    @Override
    public List<DeadLetter> failures(String runId) {
        return fromOwner(local.failures(runId), "failures", runId,
                b -> ReplicaCodec.FAILURES.deserializer().deserialize("", b));
    }

    /** Per-run state lives on the one task that owns the run: this replica's if not empty, else the first answer. */
    private <T> List<T> fromOwner(List<T> mine, String what, String runId, Function<byte[], List<T>> decode) {
        if (!mine.isEmpty()) {
            return mine;
        }
        for (List<T> theirs : ask(what, runId, decode)) {
            if (!theirs.isEmpty()) {
                return theirs;
            }
        }
        return mine;
    }


    /** The decoded answers of the other replicas that answered. */
    private <T> List<T> ask(String what, String runId, Function<byte[], T> decode) {
        List<T> answers = new ArrayList<>();
        for (HostInfo host : others.get()) {
            String query = runId == null ? "" : "?run=" + URLEncoder.encode(runId, StandardCharsets.UTF_8);
            URI uri = URI.create("http://" + host.host() + ":" + host.port() + ReplicaEndpoint.PATH + what + query);
            try {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 200) {
                    answers.add(decode.apply(response.body()));
                } else {
                    LOG.warn("aggregator replica {} answered {} with HTTP {}", host, what, response.statusCode());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("aggregator replica {} did not answer {}: {}", host, what, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return answers;
    }
}
