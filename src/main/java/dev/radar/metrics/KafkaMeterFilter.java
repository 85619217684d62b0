package dev.radar.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

import java.util.Set;

/**
 * Makes the Kafka client and Kafka Streams meters (Micrometer's {@code KafkaClientMetrics} /
 * {@code KafkaStreamsMetrics}) pass {@code promtool check metrics}. Kafka measures some times in nanoseconds or
 * milliseconds and says so in the name ({@code io-time-ns}, {@code start-time-ms}); Prometheus wants seconds, and a
 * filter can rename but not rescale, so those meters (I/O and transaction timings, start times) are left out. A gauge
 * named {@code ...-count} is named in the plural ({@code connection-count} becomes {@code connections},
 * {@code active-buffer-count} {@code active_buffers}: a {@code _count} suffix reads as a summary's), and a
 * meter without a description gets one (a HELP line). Only meters named {@code kafka.*} are touched; lag keeps its
 * name ({@code kafka_consumer_fetch_manager_records_lag}, per topic and partition).
 */
public final class KafkaMeterFilter implements MeterFilter {
    public static final KafkaMeterFilter INSTANCE = new KafkaMeterFilter();

    private static final Set<String> NON_BASE_UNITS = Set.of("ns", "us", "ms");

    private KafkaMeterFilter() {
    }

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        if (id.getName().startsWith("kafka.")) {
            for (String token : id.getName().split("\\.")) {
                if (NON_BASE_UNITS.contains(token)) {
                    return MeterFilterReply.DENY;
                }
            }
        }
        return MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        if (!id.getName().startsWith("kafka.")) {
            return id;
        }
        // A count gauge is named in the plural instead ("connection-count" -> connections, Streams'
        // "active-buffer-count" -> active_buffers): Prometheus reads a _count suffix as a summary's.
        String name = id.getName().endsWith(".count") && id.getType() != Meter.Type.DISTRIBUTION_SUMMARY
                && id.getType() != Meter.Type.TIMER
                ? id.getName().substring(0, id.getName().length() - ".count".length()) + "s"
                : id.getName();
        String description = id.getDescription() == null || id.getDescription().isBlank()
                ? "Kafka client metric " + id.getName() : id.getDescription();
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
