package dev.radar.app;

import dev.radar.Service;
import dev.radar.metrics.RadarMetrics;
import dev.radar.web.WebReply;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Live and ready state of a process's components, from their real state rather than "the process is up".
 * <ul>
 *   <li>live: every started component can still work ({@link Service#healthy()}: its loop runs, its Streams client is
 *       not dead). A process that is not live exits non-zero (the command line's watchdog), so it is restarted.</li>
 *   <li>ready: live, every component started, and each one's own readiness (e.g. the aggregator's Streams client
 *       RUNNING, not rebalancing or restoring; a scorer a member of its group with a usable model runtime), with the
 *       reason when not. {@code radar_up{component}} is 1 exactly while the component is ready.</li>
 * </ul>
 */
public final class Health {
    private record Entry(Service service, String component) {
    }

    private final RadarMetrics metrics;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private volatile boolean allStarted;
    private volatile boolean stopping;

    Health(RadarMetrics metrics) {
        this.metrics = metrics;
    }

    /** Watches a started component: live from {@link Service#healthy()}, ready from {@link Service#notReadyReason()}. */
    void add(Service service) {
        entries.add(new Entry(service, component(service)));
    }

    void allStarted() {
        allStarted = true;
    }

    void stopping() {
        stopping = true;
        entries.forEach(e -> metrics.markDown(e.component()));
    }

    /** Every started component can still work. */
    public boolean live() {
        return entries.stream().allMatch(e -> e.service().healthy());
    }

    /** The first component that is no longer live, for the exit message; null when all are. */
    public String deadComponent() {
        return entries.stream().filter(e -> !e.service().healthy()).map(e -> e.service().name()).findFirst().orElse(null);
    }

    /** Evaluates every component's readiness now and sets {@code radar_up} from it; true when all are ready. */
    public boolean ready() {
        return update().values().stream().allMatch(Objects::isNull) && allStarted && !stopping;
    }

    /** Per component: null when ready, else why not (its first instance that is not); sets {@code radar_up}. */
    private Map<String, String> update() {
        Map<String, String> byComponent = new LinkedHashMap<>();
        for (Entry e : entries) {
            byComponent.merge(e.component(), notReadyReason(e), (a, b) -> a.isEmpty() ? b : a);
        }
        byComponent.replaceAll((c, why) -> why.isEmpty() ? null : why);
        byComponent.forEach((c, why) -> {
            if (why == null) {
                metrics.markUp(c);
            } else {
                metrics.markDown(c);
            }
        });
        return byComponent;
    }

    /** Empty when ready. */
    private String notReadyReason(Entry e) {
        Service s = e.service();
        if (stopping) {
            return "stopping";
        }
        if (!s.healthy()) {
            return s.name() + ": not live (its loop ended)";
        }
        String why = s.notReadyReason();
        return why == null ? "" : s.name() + ": " + why;
    }

    /** {@code /health/live}: 200 or 503 with each component's state. */
    WebReply liveReply() {
        Map<String, String> components = new LinkedHashMap<>();
        entries.forEach(e -> components.merge(e.component(), e.service().healthy() ? "UP" : "DOWN",
                (a, b) -> a.equals("UP") ? b : a));
        boolean ok = live();
        return WebReply.json(ok ? 200 : 503, Map.of("status", ok ? "UP" : "DOWN", "components", components));
    }

    /**
     * {@code /health/ready} (and {@code /health}): 200 or 503 with each component's state and, for each one that is
     * not ready, why ({@code "reasons": {"scorer": "scorer:gpu-0: not yet a member of group radar-scorers"}}).
     */
    WebReply readyReply() {
        Map<String, String> components = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        update().forEach((c, why) -> {
            components.put(c, why == null ? "UP" : "DOWN");
            if (why != null) {
                reasons.put(c, why);
            }
        });
        boolean ok = reasons.isEmpty() && allStarted && !stopping;
        return WebReply.json(ok ? 200 : 503, Map.of("status", ok ? "UP" : allStarted ? "DOWN" : "STARTING",
                "components", components, "reasons", reasons));
    }

    /** {@code scorer:gpu-3} reports as component {@code scorer}: label values stay bounded. */
    static String component(Service s) {
        String n = s.name();
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }
}
