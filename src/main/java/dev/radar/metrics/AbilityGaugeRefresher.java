package dev.radar.metrics;

import dev.radar.Service;
import dev.radar.aggregate.AbilityQueries;
import dev.radar.events.AbilityAlert;
import dev.radar.events.AbilityReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Copies the aggregator's current reports and alerts into {@link AbilityGauges} every {@code periodMs}, so the
 * Prometheus ability gauges follow the interactive queries without the topology knowing about metrics.
 */
public final class AbilityGaugeRefresher implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(AbilityGaugeRefresher.class);

    private final AbilityQueries queries;
    private final AbilityGauges gauges;
    private final long periodMs;
    private ScheduledExecutorService timer;

    public AbilityGaugeRefresher(AbilityQueries queries, AbilityGauges gauges, long periodMs) {
        this.queries = queries;
        this.gauges = gauges;
        this.periodMs = Math.max(100, periodMs);
    }

    @Override
    public String name() {
        return "ability-gauges";
    }

    @Override
    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "radar-ability-gauges");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, periodMs, TimeUnit.MILLISECONDS);
    }

    /** One refresh; public so callers (and tests) can force the gauges up to date. */
    public void refresh() {
        try {
            List<AbilityReport> reports = new ArrayList<>();
            List<AbilityAlert> alerts = new ArrayList<>();
            for (String run : queries.runs()) {
                reports.addAll(queries.reports(run));
                alerts.addAll(queries.alerts(run));
            }
            gauges.update(reports, alerts);
        } catch (RuntimeException e) {
            // Stores are briefly unavailable during rebalances; the next refresh catches up.
            LOG.debug("ability gauges not refreshed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
