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
        if (!settings.createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(settings.admin())) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec<?, ?> t : topics) {
                if (!existing.contains(t.name())) {
                    missing.add(t.newTopic(settings.partitions(t), settings.replication()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RadarException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new RadarException("cannot create RADAR topics on " + settings.bootstrapServers() + ": " + e.getMessage(), e);
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
