package dev.radar.kafka;

import dev.radar.RadarException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
}
