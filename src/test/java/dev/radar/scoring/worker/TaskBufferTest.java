package dev.radar.scoring.worker;

import dev.radar.events.EventKeys;
import dev.radar.events.ShardTask;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer's choice of the next shard task, on tasks laid out over the 12 partitions as the planner writes them
 * (key evaluationId/shard, Kafka's default partitioner), drained one at a time as one scorer would.
 */
class TaskBufferTest {
    private static final int PARTITIONS = 12;
    private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

    /** Plans {@code shards} shards of checkpoint {@code step} into the buffer, as the planner's transaction writes them. */
    private void plan(TaskBuffer buffer, long step, int shards, long plannedAtMs) {
        String evaluationId = EventKeys.evaluationId("run", step, "v1");
        for (int i = 0; i < shards; i++) {
            ShardTask task = ShardTask.newBuilder().setEvaluationId(evaluationId).setRunId("run").setStep(step)
                    .setCheckpointUri("/ckpt/step-" + step).setBenchmark("m3-bench").setBenchmarkVersion("v1")
                    .setBenchmarkUri("/bench").setShardIndex(i).setShardCount(shards).setSampleCount(8).setAttempt(0)
                    .setPlannedAtMs(plannedAtMs).build();
            byte[] key = EventKeys.shard(evaluationId, i).getBytes(StandardCharsets.UTF_8);
            TopicPartition tp = new TopicPartition(Topics.SHARD_TASKS.name(), Utils.toPositive(Utils.murmur2(key)) % PARTITIONS);
            long offset = nextOffset.merge(tp, 1L, Long::sum) - 1;
            buffer.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, new byte[0]), task, null);
        }
    }

    /** Drains the buffer as one scorer with a one-model cache: the checkpoints in the order they are loaded. */
    private static List<String> drainLoads(TaskBuffer buffer) {
        List<String> loads = new ArrayList<>();
        Map<TopicPartition, Long> lastOffset = new HashMap<>();
        String last = null;
        TaskBuffer.Fetched f;
        while ((f = buffer.next(last)) != null) {
            Long before = lastOffset.put(f.partition(), f.record().offset());
            assertTrue(before == null || before < f.record().offset(), "offsets go in order within " + f.partition());
            if (!f.checkpoint().equals(last)) {
                loads.add(f.checkpoint());
            }
            last = f.checkpoint();
        }
        return loads;
    }

    @Test
    void sevenCheckpointsQueuedBackToBackAreEachLoadedOnce() {
        TaskBuffer buffer = new TaskBuffer();
        long[] steps = {0, 37, 75, 100, 150, 300, 450};
        for (int c = 0; c < steps.length; c++) {
            plan(buffer, steps[c], 8, 1_000 + c);
        }
        assertEquals(56, buffer.size());
        assertEquals(List.of("/ckpt/step-0", "/ckpt/step-37", "/ckpt/step-75", "/ckpt/step-100", "/ckpt/step-150",
                "/ckpt/step-300", "/ckpt/step-450"), drainLoads(buffer));
        assertEquals(0, buffer.size());
    }

    @Test
    void checkpointsPlannedInTheSameMillisecondAreStillLoadedOnceEach() {
        TaskBuffer buffer = new TaskBuffer();
        for (long step = 1; step <= 7; step++) {
            plan(buffer, step * 10, 64, 5_000);
        }
        List<String> loads = drainLoads(buffer);
        assertEquals(7, loads.size(), "one load per checkpoint: " + loads);
    }

    @Test
    void anUndecodableRecordGoesFirstAndARevokedPartitionIsForgotten() {
        TaskBuffer buffer = new TaskBuffer();
        plan(buffer, 1, 4, 1);
        int free = 0;
        while (nextOffset.containsKey(new TopicPartition(Topics.SHARD_TASKS.name(), free))) {
            free++;
        }
        TopicPartition tp = new TopicPartition(Topics.SHARD_TASKS.name(), free);
        buffer.add(new ConsumerRecord<>(tp.topic(), tp.partition(), 99, null, new byte[]{1}), null, "not avro");
        TaskBuffer.Fetched first = buffer.next(null);
        assertNull(first.task());
        assertEquals(99, first.record().offset());
        int before = buffer.size();
        TaskBuffer.Fetched next = buffer.next(null);
        buffer.drop(List.of(next.partition()));
        assertTrue(buffer.size() < before, "the revoked partition's tasks are gone");
    }
}
