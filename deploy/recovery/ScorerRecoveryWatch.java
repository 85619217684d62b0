import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.ShardTask;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One round of deploy/recovery/scorer-recovery-times.sh, in one process so that the kill and the clock are in one
 * place.
 * <ol>
 *   <li>Reads the shard tasks the planner made for TEMPLATE_RUN and waits until all their scores are committed (both
 *       scorers have loaded the model by then).</li>
 *   <li>Publishes a copy of those tasks under RUN onto the partitions of radar.shard-tasks the victim holds, so the
 *       survivor is idle and what is measured is the takeover, not the survivor's own backlog.</li>
 *   <li>Once the victim has committed scores of RUN and still has tasks left, kills it with {@code kill -9}, notes
 *       the committed offsets of its partitions and writes KILLED_FILE (the script then restarts the victim or not).</li>
 *   <li>Measures from the kill: <em>resumed</em>, a partition the victim left with tasks has its committed offset of
 *       the scorer group moved on: its next owner holds it, could read its committed offset (no open transaction of
 *       the victim in the way) and scored and committed a shard of it (the next owner then works through one
 *       partition after another, so "all partitions moved on" would measure scoring speed, not recovery);
 *       <em>complete</em>, all of RUN's scores visible to a read_committed reader of radar.sample-scores.</li>
 * </ol>
 * Checks exactly-once too: no sample of RUN committed twice. Prints one line "resumed_ms complete_ms duplicates".
 *
 * <p>Usage: java -cp CP ScorerRecoveryWatch.java BOOTSTRAP GROUP VICTIM_INSTANCE_ID VICTIM_PID TEMPLATE_RUN RUN KILLED_FILE
 */
public class ScorerRecoveryWatch {
    private static final Duration LIMIT = Duration.ofSeconds(300);

    public static void main(String[] args) throws Exception {
        KafkaSettings kafka = KafkaSettings.of(args[0]);
        String group = args[1];
        String victim = args[2];
        long pid = Long.parseLong(args[3]);
        String template = args[4];
        String run = args[5];
        Path killedFile = Path.of(args[6]);
        try (Admin admin = Admin.create(kafka.admin());
             KafkaConsumer<byte[], byte[]> scores = new KafkaConsumer<>(kafka.consumer("unused", "recovery-watch"))) {
            List<ShardTask> tasks = templateTasks(kafka, template);
            int expected = tasks.stream().mapToInt(ShardTask::getSampleCount).sum();
            Topics.SAMPLE_SCORES.readFromBeginning(scores); // read_committed (KafkaSettings' default)
            Scores templateScores = new Scores(s -> s.getRunId().equals(template));
            await("the template's " + expected + " scores", () -> {
                templateScores.read(scores);
                return templateScores.bySample.size() >= expected;
            });

            List<TopicPartition> held = assignment(admin, group, victim);
            publish(kafka, tasks, run, held);
            Scores runScores = new Scores(s -> s.getRunId().equals(run));
            Set<TopicPartition> pending = new HashSet<>();
            await(victim + " mid-work on " + run, () -> {
                runScores.read(scores);
                pending.clear();
                pending.addAll(pending(admin, group, held));
                return runScores.bySample.values().stream().anyMatch(l -> l.contains(victim)) && !pending.isEmpty();
            });

            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
            long killedAt = System.nanoTime();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -9 " + pid + " failed");
            }
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            Files.writeString(killedFile, "killed\n");
            // As the victim left them: its open transaction, if any, commits nothing.
            Map<TopicPartition, Long> atKill = committed(admin, group, pending);
            System.err.printf("%s %s: killed %s (pid %d) with tasks left on %d of its %d partitions, %d/%d scores committed%n",
                    java.time.LocalTime.now(), run, victim, pid, pending.size(), held.size(), runScores.bySample.size(),
                    expected);

            long[] resumedAt = {0};
            await(run + " resumed and complete", () -> {
                if (resumedAt[0] == 0) {
                    Map<TopicPartition, Long> now = committed(admin, group, pending);
                    if (atKill.entrySet().stream().anyMatch(e -> now.get(e.getKey()) > e.getValue())) {
                        resumedAt[0] = System.nanoTime();
                    }
                }
                runScores.read(scores);
                return resumedAt[0] != 0 && runScores.bySample.size() >= expected;
            });
            long completeAt = System.nanoTime();
            // Everything committed by now, not a time window: a duplicate committed after the full set shows too.
            Map<TopicPartition, Long> lastStable = scores.endOffsets(scores.assignment());
            while (lastStable.entrySet().stream().anyMatch(e -> scores.position(e.getKey()) < e.getValue())) {
                runScores.read(scores);
            }
            long duplicates = runScores.bySample.values().stream().filter(l -> l.size() > 1).count();
            System.out.printf("%d %d %d%n", (resumedAt[0] - killedAt) / 1_000_000, (completeAt - killedAt) / 1_000_000,
                    duplicates);
        }
    }

    /** Committed scores seen so far that match a filter: the scorer ids that committed each sample. */
    private static final class Scores {
        final Predicate<SampleScore> filter;
        final Map<String, List<String>> bySample = new HashMap<>();

        Scores(Predicate<SampleScore> filter) {
            this.filter = filter;
        }

        void read(KafkaConsumer<byte[], byte[]> consumer) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                SampleScore s = Topics.SAMPLE_SCORES.decodeValue(r.value());
                if (filter.test(s)) {
                    bySample.computeIfAbsent(s.getEvaluationId() + "/" + s.getTask() + "/" + s.getSampleId(),
                            k -> new ArrayList<>()).add(s.getScorerId());
                }
            }
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean done() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + LIMIT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** The first attempt of each shard the planner made for the template run, once all of them are committed. */
    private static List<ShardTask> templateTasks(KafkaSettings kafka, String template) throws Exception {
        TopicSpec<String, ShardTask> t = Topics.SHARD_TASKS;
        Map<Integer, ShardTask> byShard = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer("unused", "recovery-template"))) {
            t.readFromBeginning(c);
            await("the planner's tasks of " + template, () -> {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    ShardTask task = t.decodeValue(r.value());
                    if (task.getRunId().equals(template) && task.getAttempt() == 0) {
                        byShard.put(task.getShardIndex(), task);
                    }
                }
                return !byShard.isEmpty() && byShard.size() == byShard.values().iterator().next().getShardCount();
            });
        }
        return List.copyOf(byShard.values());
    }

    /** The template's tasks as a new evaluation of RUN, spread over the victim's partitions. */
    private static void publish(KafkaSettings kafka, List<ShardTask> tasks, String run, List<TopicPartition> onto) {
        TopicSpec<String, ShardTask> t = Topics.SHARD_TASKS;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer("recovery-tasks"))) {
            int i = 0;
            for (ShardTask template : tasks) {
                String evaluationId = EventKeys.evaluationId(run, template.getStep(), template.getBenchmarkVersion());
                ShardTask task = ShardTask.newBuilder(template).setRunId(run).setEvaluationId(evaluationId)
                        .setPlannedAtMs(System.currentTimeMillis()).build();
                ProducerRecord<byte[], byte[]> r = t.record(EventKeys.shard(evaluationId, task.getShardIndex()), task);
                producer.send(new ProducerRecord<>(r.topic(), onto.get(i++ % onto.size()).partition(), r.key(), r.value()));
            }
            producer.flush();
        }
    }

    private static List<TopicPartition> assignment(Admin admin, String group, String member) throws Exception {
        for (MemberDescription m : admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()) {
            if (m.groupInstanceId().orElse("").equals(member)) {
                return m.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(Topics.SHARD_TASKS.name()))
                        .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
            }
        }
        throw new IllegalStateException(member + " is not a member of " + group);
    }

    /** Partitions whose committed offset is behind their end: tasks left (RUN's tasks are their last records). */
    private static Set<TopicPartition> pending(Admin admin, String group, List<TopicPartition> partitions)
            throws Exception {
        Map<TopicPartition, Long> end = admin.listOffsets(partitions.stream()
                .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        Map<TopicPartition, Long> committed = committed(admin, group, new HashSet<>(partitions));
        return partitions.stream().filter(tp -> committed.get(tp) < end.get(tp)).collect(Collectors.toSet());
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String group, Set<TopicPartition> partitions)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = all.get(tp);
            out.put(tp, o == null ? 0L : o.offset());
        }
        return out;
    }
}
