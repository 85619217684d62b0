package dev.radar.scoring.worker;

import dev.radar.config.RadarProperties;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.Topics;
import dev.radar.testing.TestBroker;
import dev.radar.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scorer is ready only when it can work: its loop runs, models load on its device, and it is a member of the
 * scorer group. Real broker, real engine start-up check, real group protocol; each test has its own group.
 */
@Tag("integration")
class ScorerReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static RadarProperties props(String bootstrap, String id, Map<String, String> extra) {
        return RadarProperties.of(Map.of(KafkaSettings.BOOTSTRAP, bootstrap, "scorer.id", id,
                "scorer.group.id", "readiness-" + id, "scorer.poll.ms", "50")).with(extra);
    }

    private static ScorerService scorer(RadarProperties p) {
        return new ScorerService(new KafkaSettings(p), ScorerConfig.from(p), new SimpleMeterRegistry());
    }

    @Test
    void aScorerThatCannotLoadModelsOnItsDeviceStaysLiveButNotReadyOutOfTheGroupAndSaysWhy() throws Exception {
        String id = "no-device-" + System.nanoTime();
        // A GPU that is not there (this machine has none; a GPU machine has no eighth): the engine cannot make a tensor.
        RadarProperties p = props(TestBroker.get().bootstrapServers(), id, Map.of("scoring.device", "gpu:7"));
        ScorerService s = scorer(p);
        s.start();
        try {
            Waits.until("the start-up check to fail", WAIT, () -> String.valueOf(s.notReadyReason()).contains("cannot load"));
            assertTrue(s.healthy(), "a restart would not bring the GPU back: live, not ready");
            assertFalse(s.ready());
            assertTrue(s.notReadyReason().contains("scoring.device 'gpu:7' cannot be used"), s.notReadyReason());
            try (Admin admin = Admin.create(new KafkaSettings(p).admin())) {
                String group = ScorerConfig.from(p).groupId();
                try {
                    assertTrue(admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().isEmpty(),
                            "it takes no shard tasks it could only fail");
                } catch (ExecutionException e) {
                    assertInstanceOf(GroupIdNotFoundException.class, e.getCause(), "no such group: nobody ever joined");
                }
            }
        } finally {
            s.stop();
        }
        assertEquals("its poll loop is not running", s.notReadyReason());
    }

    @Test
    void aScorerIsNotReadyUntilItsGroupHasTakenItInAndReadyOnceItHas() throws Exception {
        String id = "joining-" + System.nanoTime();
        RadarProperties p = props(TestBroker.get().bootstrapServers(), id, Map.of());
        KafkaSettings kafka = new KafkaSettings(p);
        TopicAdmin.ensureTopics(kafka);
        String group = ScorerConfig.from(p).groupId();
        // A member that joined and then stops polling: the rebalance the scorer's join starts cannot complete until
        // this member rejoins (it polls again), so the scorer is held "joining" for as long as the test wants.
        Properties bp = kafka.consumer(group, "blocker-" + id);
        bp.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000");
        try (KafkaConsumer<byte[], byte[]> blocker = new KafkaConsumer<>(bp)) {
            blocker.subscribe(List.of(Topics.SHARD_TASKS.name()));
            Waits.until("the blocker to hold partitions", WAIT, () -> {
                blocker.poll(Duration.ofMillis(100));
                return !blocker.assignment().isEmpty();
            });
            ScorerService s = scorer(p);
            s.start();
            try {
                Waits.until("the scorer to wait in the rebalance", WAIT,
                        () -> String.valueOf(s.notReadyReason()).contains("joining") && joinRequested(kafka, group));
                assertFalse(s.ready(), s.notReadyReason());
                assertEquals("not a member of consumer group " + group + " yet (joining)", s.notReadyReason());

                Waits.until("the scorer ready once the rebalance completes", WAIT, () -> {
                    blocker.poll(Duration.ofMillis(100));
                    return s.ready();
                });
                assertNull(s.notReadyReason());
            } finally {
                s.stop();
            }
        }
    }

    /** The group is rebalancing: the scorer's JoinGroup has arrived and waits for the blocker. */
    private static boolean joinRequested(KafkaSettings kafka, String group) {
        try (Admin admin = Admin.create(kafka.admin())) {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState()
                    == GroupState.PREPARING_REBALANCE;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void withMoreScorersThanPartitionsTheIdleOneIsReadyToo() throws Exception {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        broker.start();
        try {
            Map<String, String> onePartition = Map.of("topics." + Topics.SHARD_TASKS.name() + ".partitions", "1");
            RadarProperties a = props(broker.bootstrapServers(), "idle-a", onePartition);
            RadarProperties b = props(broker.bootstrapServers(), "idle-b", onePartition)
                    .with("scorer.group.id", ScorerConfig.from(a).groupId());
            TopicAdmin.ensureTopics(new KafkaSettings(a));
            ScorerService first = scorer(a);
            ScorerService second = scorer(b);
            first.start();
            second.start();
            try {
                String group = ScorerConfig.from(a).groupId();
                try (Admin admin = Admin.create(new KafkaSettings(a).admin())) {
                    Waits.until("both scorers in the group, one partition between them", WAIT, () -> {
                        try {
                            Collection<MemberDescription> m = admin.describeConsumerGroups(List.of(group)).all().get()
                                    .get(group).members();
                            return m.size() == 2 && m.stream().mapToInt(x -> x.assignment().topicPartitions().size())
                                    .sum() == 1;
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                Waits.until("both ready", WAIT, () -> first.ready() && second.ready());
            } finally {
                first.stop();
                second.stop();
            }
        } finally {
            broker.stop();
        }
    }
}
