package dev.radar.scoring.worker;

import dev.radar.events.ShardTask;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Shard tasks fetched but not yet handed to the scoring pipeline, in offset order per partition, and the choice of
 * which one goes next. Only a partition's oldest task (its head) may go next: offsets are committed in order per
 * partition, so exactly-once needs nothing more. Among the heads the choice keeps a checkpoint's shards together,
 * because a model load costs tens of seconds on a real checkpoint:
 * <ol>
 *   <li>an undecodable record first (it only needs a dead letter);</li>
 *   <li>a shard of the checkpoint chosen last (it is loaded, or about to be);</li>
 *   <li>else a checkpoint none of whose fetched shards waits behind another checkpoint's (it can be finished with
 *       one load), the earliest planned first;</li>
 *   <li>else the earliest planned head.</li>
 * </ol>
 * The planner writes an evaluation's shards after those of the evaluations planned before it, so with one scorer
 * and N checkpoints queued back to back each checkpoint is loaded once; with S scorers, at most N x S times.
 * Used from the poll thread only.
 */
final class TaskBuffer {

    /** A fetched record: its decoded task, or null and why it could not be decoded. */
    record Fetched(ConsumerRecord<byte[], byte[]> record, ShardTask task, String decodeError, long sequence) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }

        /** The checkpoint the task scores (the model cache's key), or null for an undecodable record. */
        String checkpoint() {
            return task == null ? null : task.getCheckpointUri();
        }

        long plannedAtMs() {
            return task == null ? 0 : task.getPlannedAtMs();
        }
    }

    private final Map<TopicPartition, ArrayDeque<Fetched>> byPartition = new LinkedHashMap<>();
    private long sequence;
    private int size;

    void add(ConsumerRecord<byte[], byte[]> record, ShardTask task, String decodeError) {
        Fetched f = new Fetched(record, task, decodeError, sequence++);
        byPartition.computeIfAbsent(f.partition(), tp -> new ArrayDeque<>()).addLast(f);
        size++;
    }

    int size() {
        return size;
    }

    /** Forgets the fetched tasks of these partitions (revoked, or rewound to re-fetch them). */
    void drop(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            ArrayDeque<Fetched> q = byPartition.remove(tp);
            if (q != null) {
                size -= q.size();
            }
        }
    }

    /** Removes and returns the task to score next, or null when none is buffered. */
    Fetched next(String lastCheckpoint) {
        Fetched chosen = choose(lastCheckpoint);
        if (chosen != null) {
            byPartition.get(chosen.partition()).removeFirst();
            size--;
        }
        return chosen;
    }

    private Fetched choose(String lastCheckpoint) {
        Fetched sameCheckpoint = null;
        Fetched earliest = null;
        for (ArrayDeque<Fetched> q : byPartition.values()) {
            Fetched head = q.peekFirst();
            if (head == null) {
                continue;
            }
            if (head.task() == null) {
                return head;
            }
            if (sameCheckpoint == null && head.checkpoint().equals(lastCheckpoint)) {
                sameCheckpoint = head;
            }
            if (earliest == null || plannedBefore(head, earliest)) {
                earliest = head;
            }
        }
        if (sameCheckpoint != null || earliest == null) {
            return sameCheckpoint;
        }
        Set<String> blocked = blockedCheckpoints();
        Fetched earliestFree = null;
        for (ArrayDeque<Fetched> q : byPartition.values()) {
            Fetched head = q.peekFirst();
            if (head != null && !blocked.contains(head.checkpoint())
                    && (earliestFree == null || plannedBefore(head, earliestFree))) {
                earliestFree = head;
            }
        }
        return earliestFree != null ? earliestFree : earliest;
    }

    /** Checkpoints with a fetched shard behind another checkpoint's shard in some partition. */
    private Set<String> blockedCheckpoints() {
        Set<String> blocked = new HashSet<>();
        for (ArrayDeque<Fetched> q : byPartition.values()) {
            Fetched head = q.peekFirst();
            for (Fetched f : q) {
                if (f.task() != null && head.task() != null && !f.checkpoint().equals(head.checkpoint())) {
                    blocked.add(f.checkpoint());
                }
            }
        }
        return blocked;
    }

    private static boolean plannedBefore(Fetched a, Fetched b) {
        return a.plannedAtMs() != b.plannedAtMs() ? a.plannedAtMs() < b.plannedAtMs() : a.sequence() < b.sequence();
    }

    /** Tasks buffered per checkpoint (for logs and tests). */
    Map<String, Integer> countsByCheckpoint() {
        Map<String, Integer> counts = new HashMap<>();
        byPartition.values().forEach(q -> q.forEach(f -> counts.merge(String.valueOf(f.checkpoint()), 1, Integer::sum)));
        return counts;
    }
}
