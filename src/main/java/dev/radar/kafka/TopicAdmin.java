package dev.radar.kafka;

import dev.radar.RadarException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Creates RADAR's topics when missing, with the partitions and replication the deployment configures. */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {
    }

    public static void ensureTopics(KafkaSettings settings) {
        ensureTopics(settings, Topics.ALL);
    }

    public static void ensureTopics(KafkaSettings settings, Collection<TopicSpec<?, ?>> topics) {
        try (Admin admin = Admin.create(settings.admin())) {
            long timeoutMs = settings.startupTimeout().toMillis();
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec<?, ?> t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(t.newTopic(settings.partitions(t), settings.replication()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (!settings.createTopics()) {
                throw new RadarException("topics missing on " + settings.bootstrapServers() + " and topics.create=false: "
                        + missing.stream().map(t -> t.name() + " (" + t.numPartitions() + " partitions)").toList()
                        + "; create them or allow topics.create");
            }
            try {
                admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while creating topics", e);
        } catch (RadarException e) {
            throw e;
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new RadarException("cannot create RADAR topics on " + settings.bootstrapServers() + ": " + cause, e);
        }
    }

    /**
     * Fails with one line when no broker of {@code kafka.bootstrap.servers} answers within {@code startup.timeout.ms}.
     * Without it a command against a dead broker retried for a minute, logging a warning per attempt, and then
     * failed with a message that did not say the broker was unreachable.
     */
    public static void requireReachable(KafkaSettings settings) {
        long timeoutMs = settings.startupTimeout().toMillis();
        java.util.Properties p = settings.admin();
        p.put(org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        p.put(org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        Admin admin = Admin.create(p);
        try {
            admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while connecting to Kafka", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            boolean timedOut = cause instanceof java.util.concurrent.TimeoutException
                    || cause instanceof org.apache.kafka.common.errors.TimeoutException;
            throw new RadarException("Kafka at " + settings.bootstrapServers() + (timedOut
                    ? " did not answer within " + timeoutMs + " ms" : " refused the connection: " + cause.getMessage())
                    + " (kafka.bootstrap.servers, startup.timeout.ms)");
        } finally {
            admin.close(Duration.ZERO);  // an unreachable broker must not hold the exit for the close timeout
        }
    }

    /**
     * Waits until every partition of {@code topics} is served by its leader. Metadata names a leader of a fresh topic
     * before that broker has taken the partition on; an idempotent producer that writes in between gets
     * NOT_LEADER_OR_FOLLOWER and can then be stuck on OUT_OF_ORDER_SEQUENCE retries. A ListOffsets answer comes from
     * the leader itself, so it is the readiness check.
     */
    public static void awaitServed(KafkaSettings settings, Collection<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(settings.admin())) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    endOffsets(admin, topics);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
            throw new RadarException("partitions of " + topics + " not served by a leader after " + timeout.toSeconds()
                    + " s: " + (last == null ? "timed out" : last.getMessage()), last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while waiting for topic leaders", e);
        }
    }

    /** The end offset of every partition of {@code topics}, each answered by the partition's leader. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
            d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }
}
