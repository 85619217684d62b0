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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@link AbilityQueries} over every replica of the aggregator: this one's stores plus those of the others, asked at
 * the {@code application.server} each announced to Kafka Streams (their HTTP server, {@code GET /replica/...},
 * answered by {@link AggregatorService#replicaAnswer}). Each store key lives on exactly one active task, so the
 * active answers are disjoint and their union is the full view, whichever replica is asked.
 *
 * <p>Keys that no active answer holds are answered from this replica's standby copies (Kafka Streams stale stores,
 * KIP-535): those of a replica that does not answer (killed, stopping, rebalancing; within {@code timeout}), so the
 * view stays full while the group has not yet moved its tasks, and those of a task that is still restoring on the
 * replica that answered (a restarted replica answers before every task has caught up). A standby may lag its active
 * task by a commit or so; active answers always win. Per-run state (curves, alerts, failures) comes from a standby
 * only while no active answer has any.
 */
final class ReplicaQueries implements AbilityQueries {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaQueries.class);
    private static final Comparator<AbilityReport> BY_STEP =
            Comparator.comparingLong(AbilityReport::getStep).thenComparing(AbilityReport::getBenchmarkVersion);

    /** This replica's active stores, and its active plus standby stores. */
    private final StoreQueries local;
    private final StoreQueries withStandbys;
    private final Supplier<Collection<HostInfo>> others;
    private final Duration timeout;
    private final HttpClient http;
    /** Replicas whose last question went unanswered. */
    private final Set<HostInfo> silent = ConcurrentHashMap.newKeySet();

    /** @param others the other replicas' endpoints now (never this one) */
    ReplicaQueries(StoreQueries local, StoreQueries withStandbys,
                   Supplier<Collection<HostInfo>> others, Duration timeout) {
        this.local = local;
        this.withStandbys = withStandbys;
        this.others = others;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public List<String> runs() {
        TreeSet<String> runs = new TreeSet<>(local.runs());
        List<List<String>> theirs = ask("runs", null, ReplicaCodec::decodeRuns);
        theirs.forEach(runs::addAll);
        runs.addAll(withStandbys.runs());
        return List.copyOf(runs);
    }

    @Override
    public List<AbilityReport> reports(String runId) {
        return merged(local.reports(runId), "reports", runId, withStandbys::reports, ReplicaQueries::reportKey, BY_STEP);
    }

    /** Every evaluation of the run, over all replicas (see {@link EvaluationHistory}). */
    List<AbilityReport> history(String runId) {
        return merged(local.history(runId), "history", runId, withStandbys::history,
                r -> reportKey(r) + "/" + r.getEvaluationId(), BY_STEP.thenComparing(AbilityReport::getEvaluationId));
    }

    /** The report store's key: one report per (run, step, benchmark version). */
    private static String reportKey(AbilityReport r) {
        return r.getRunId() + "/" + r.getStep() + "/" + r.getBenchmarkVersion();
    }

    /**
     * This replica's reports and the others' answers (disjoint: each key on one active task), then the standby
     * copies of keys no active answer holds.
     */
    private List<AbilityReport> merged(List<AbilityReport> mine, String what, String runId,
                                       Function<String, List<AbilityReport>> standbys,
                                       Function<AbilityReport, String> storeKey, Comparator<AbilityReport> order) {
        Map<String, AbilityReport> byKey = new LinkedHashMap<>();
        mine.forEach(r -> byKey.put(storeKey.apply(r), r));
        List<List<AbilityReport>> theirs = ask(what, runId, b -> ReplicaCodec.REPORTS.deserializer().deserialize("", b));
        theirs.forEach(list -> list.forEach(r -> byKey.putIfAbsent(storeKey.apply(r), r)));
        standbys.apply(runId).forEach(r -> byKey.putIfAbsent(storeKey.apply(r), r));
        List<AbilityReport> out = new ArrayList<>(byKey.values());
        out.sort(order);
        return out;
    }

    @Override
    public Map<String, List<CurvePoint>> curves(String runId) {
        return fromOwner(local.curves(runId), Map::isEmpty, "curves", runId, ReplicaCodec::decodeCurves,
                withStandbys::curves, TreeMap::new);
    }

    @Override
    public Optional<String> curvesVersion(String runId) {
        return fromOwner(local.curvesVersion(runId), Optional::isEmpty, "curves-version", runId,
                b -> Optional.of(new String(b, StandardCharsets.UTF_8)).filter(v -> !v.isEmpty()),
                withStandbys::curvesVersion, v -> v);
    }

    @Override
    public List<AbilityAlert> alerts(String runId) {
        return fromOwner(local.alerts(runId), List::isEmpty, "alerts", runId,
                b -> ReplicaCodec.ALERTS.deserializer().deserialize("", b), withStandbys::alerts, v -> v);
    }

    @Override
    public List<DeadLetter> failures(String runId) {
        return fromOwner(local.failures(runId), List::isEmpty, "failures", runId,
                b -> ReplicaCodec.FAILURES.deserializer().deserialize("", b), withStandbys::failures, v -> v);
    }

    /**
     * Per-run state lives on the one task that owns the run: this replica's if not empty, else the first non-empty
     * answer of another, else this replica's standby copy (empty too when the run has none).
     */
    private <T> T fromOwner(T mine, Predicate<T> isEmpty, String what, String runId,
                            Function<byte[], T> decode, Function<String, T> standby, Function<T, T> copy) {
        if (!isEmpty.test(mine)) {
            return mine;
        }
        List<T> theirs = ask(what, runId, decode);
        for (T answer : theirs) {
            if (!isEmpty.test(answer)) {
                return copy.apply(answer);
            }
        }
        return standby.apply(runId);
    }

    /** Logged once per outage, not on every query while it lasts (the page asks several times a second). */
    private void noAnswer(HostInfo host, String what, String why) {
        if (silent.add(host)) {
            LOG.warn("aggregator replica {} did not answer {} ({}); answering its keys from standby copies until it"
                    + " answers again or its tasks move", host, what, why);
        }
    }

    /** The decoded answers of the replicas that answered. */
    private <T> List<T> ask(String what, String runId, Function<byte[], T> decode) {
        List<T> answers = new ArrayList<>();
        for (HostInfo host : others.get()) {
            String query = runId == null ? "" : "?run=" + URLEncoder.encode(runId, StandardCharsets.UTF_8);
            URI uri = URI.create("http://" + host.host() + ":" + host.port() + ReplicaCodec.PATH + what + query);
            try {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() == 200) {
                    answers.add(decode.apply(response.body()));
                    if (silent.remove(host)) {
                        LOG.info("aggregator replica {} answers again", host);
                    }
                    continue;
                }
                // 503: its stores are not queryable now (stopping, rebalancing).
                noAnswer(host, what, "HTTP " + response.statusCode());
            } catch (IOException | RuntimeException e) {
                noAnswer(host, what, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return answers;
    }
}
