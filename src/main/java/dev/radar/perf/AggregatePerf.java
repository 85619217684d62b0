package dev.radar.perf;

import dev.radar.aggregate.AggregatorConfig;
import dev.radar.aggregate.AggregatorService;
import dev.radar.config.RadarProperties;
import dev.radar.events.AbilityReport;
import dev.radar.events.EvaluationPlanned;
import dev.radar.events.EventKeys;
import dev.radar.events.SampleScore;
import dev.radar.events.TaskExpectation;
import dev.radar.kafka.EmbeddedKafkaBroker;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.TopicAdmin;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code radar perf aggregate}: aggregator throughput and latency on an embedded broker, measured in one run:
 * (a) the raw consume rate of radar.sample-scores by a plain byte consumer, (b) the SampleScores/s the topology
 * sustains on the same backlog (until every checkpoint's complete report is out), their ratio, and (c) the latency
 * from a checkpoint's last score (send time) to its complete AbilityReport being readable (read_committed),
 * with scores produced live at a paced rate.
 *
 * <p>Both readers first go through a warm-up backlog (its own runs) that neither rate counts; the aggregator is then
 * stopped, the measured backlog produced, and the aggregator started again on it. Broker, clients and topology
 * share one JVM here, and its JIT compiler otherwise takes a core for the first tens of seconds: that would measure
 * start-up rather than the sustained rate.
 */
public final class AggregatePerf {

    /** Run-id prefixes of the warm-up and the measured checkpoints. */
    private static final String WARMUP_RUN = "bench-warmup-";
    private static final String MEASURED_RUN = "bench-run-";

    /**
     * @param samples         measured SampleScores in the backlog
     * @param warmup          SampleScores read before the measured ones, by both readers
     * @param perCheckpoint   samples per checkpoint
     * @param runs            training runs the checkpoints belong to
     * @param tasks           tasks per checkpoint, half perception, half reasoning
     * @param liveCheckpoints checkpoints produced live for the latency phase
     * @param liveRate        SampleScores/s produced in the latency phase
     */
    public record Options(int samples, int warmup, int perCheckpoint, int runs, int tasks, int liveCheckpoints,
                          int liveRate) {
    }

    private final int samples;
    private final int warmup;
    private final int perCheckpoint;
    private final int runs;
    private final int tasks;
    private final int liveCheckpoints;
    private final int liveRate;
    private final RadarProperties base;
    private final PrintStream out;

    public AggregatePerf(Options o, RadarProperties base, PrintStream out) {
        this.samples = o.samples();
        this.warmup = o.warmup();
        this.perCheckpoint = o.perCheckpoint();
        this.runs = o.runs();
        this.tasks = o.tasks();
        this.liveCheckpoints = o.liveCheckpoints();
        this.liveRate = o.liveRate();
        this.base = base;
        this.out = out;
    }

    /** Runs the three measurements on an embedded broker of its own and prints the report. */
    public void run() throws Exception {
        if (samples < perCheckpoint || perCheckpoint < tasks || tasks < 2 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("need samples >= per-checkpoint >= tasks >= 2, runs >= 1 and warmup >= 0");
        }
        int checkpoints = samples / perCheckpoint;
        int total = checkpoints * perCheckpoint;
        int warmCheckpoints = warmup / perCheckpoint;
        int warmTotal = warmCheckpoints * perCheckpoint;
        Path stateDir = Files.createTempDirectory("radar-bench-aggregate-");
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker();
        broker.start();
        try {
            RadarProperties props = base.with(KafkaSettings.BOOTSTRAP, broker.bootstrapServers())
                    .with(Map.of("aggregator.application.id", "radar-bench-aggregator",
                            "aggregator.state.dir", stateDir.toString()));
            KafkaSettings kafka = new KafkaSettings(props);
            TopicAdmin.ensureTopics(kafka);
            TopicAdmin.awaitServed(kafka, List.of(Topics.EVALUATIONS.name(), Topics.SAMPLE_SCORES.name(),
                    Topics.ABILITY_REPORTS.name()), Duration.ofSeconds(30));
            int partitions = kafka.partitions(Topics.SAMPLE_SCORES);

            AggregatorService service = new AggregatorService(kafka, AggregatorConfig.from(props));
            try (ReportWatcher watcher = new ReportWatcher(kafka)) {
                if (warmCheckpoints > 0) {
                    out.printf(Locale.ROOT, "[0/4] warm-up: %,d SampleScores through the plain consumer and the aggregator...%n", warmTotal);
                    try (Producer producer = new Producer(kafka)) {
                        producer.backlog(WARMUP_RUN, warmCheckpoints);
                    }
                    rawConsumeSeconds(kafka, 0, warmTotal);
                    service.start();
                    watcher.awaitComplete(warmCheckpoints, Duration.ofMinutes(10));
                    service.stop();
                }
                out.printf(Locale.ROOT, "[1/4] producing %,d SampleScores (%d checkpoints x %d samples, %d runs, %d tasks) and their plans...%n",
                        total, checkpoints, perCheckpoint, runs, tasks);
                long p0 = System.nanoTime();
                try (Producer producer = new Producer(kafka)) {
                    producer.backlog(MEASURED_RUN, checkpoints);
                }
                double produceRate = total / seconds(p0);

                out.println("[2/4] plain consumer reads the backlog, three times...");
                // A pass takes well under a second when warm: the median of three steadies the figure.
                double[] passes = {rawConsumeSeconds(kafka, warmTotal, total), rawConsumeSeconds(kafka, warmTotal, total),
                        rawConsumeSeconds(kafka, warmTotal, total)};
                Arrays.sort(passes);
                double rawRate = total / passes[1];
                out.println("[3/4] aggregator works through the backlog...");
                long s0 = System.nanoTime();
                service.start();
                long running = System.nanoTime();
                double startup = (running - s0) / 1e9;
                watcher.awaitComplete(warmCheckpoints + checkpoints, Duration.ofMinutes(10));
                double topologyRate = total / seconds(running);
                service.stop();
                out.println("[3/4] for comparison: Kafka Streams reading and decoding the same backlog, nothing else...");
                double floorRate = decodeOnlyRate(kafka, props, stateDir);
                service.start();
                out.printf(Locale.ROOT, "[4/4] live: %d checkpoints at %,d SampleScores/s...%n", liveCheckpoints, liveRate);
                long[] latencies = liveLatencies(kafka, watcher, warmCheckpoints + checkpoints);
                print(total, warmTotal, checkpoints, partitions, produceRate, rawRate, topologyRate, floorRate, startup, latencies,
                        AggregatorConfig.from(props));
            } finally {
                service.stop();
            }
        } finally {
            broker.stop();
            dev.radar.FileTrees.deleteQuietly(stateDir);
        }
    }

    /** Latency phase: live checkpoints at the paced rate; returns ms from each last score's send to its report. */
    private long[] liveLatencies(KafkaSettings kafka, ReportWatcher watcher, int backlogCheckpoints) throws InterruptedException {
        Map<String, Long> lastSent = new ConcurrentHashMap<>();
        try (Producer producer = new Producer(kafka)) {
            long start = System.nanoTime();
            for (int c = 0; c < liveCheckpoints; c++) {
                long step = 1000L * (c + 1);
                producer.plan("bench-live", step);
                lastSent.put(EventKeys.report("bench-live", step, Producer.VERSION), producer.scores("bench-live", step, true));
                // Pace: checkpoint c is due at (c + 1) * perCheckpoint / liveRate seconds.
                long dueNanos = start + (long) ((c + 1) * (double) perCheckpoint / liveRate * 1e9);
                long wait = dueNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
        watcher.awaitComplete(backlogCheckpoints + liveCheckpoints, Duration.ofMinutes(2));
        long[] lat = new long[liveCheckpoints];
        int i = 0;
        for (Map.Entry<String, Long> e : lastSent.entrySet()) {
            lat[i++] = watcher.completedAt(e.getKey()) - e.getValue();
        }
        Arrays.sort(lat);
        return lat;
    }

    /**
     * SampleScores/s of {@link #decodeOnly} (same settings, exactly-once, its own application id)
     * over the whole topic so far: from RUNNING until its committed offsets reach the end.
     */
    private static double decodeOnlyRate(KafkaSettings kafka, RadarProperties props, Path stateDir) throws Exception {
        String appId = "radar-bench-decode-only";
        AggregatorConfig cfg = AggregatorConfig.from(props.with(Map.of("aggregator.application.id", appId,
                "aggregator.state.dir", stateDir.resolve("decode-only").toString())));
        try (Admin admin = Admin.create(kafka.admin());
             KafkaStreams streams = new KafkaStreams(decodeOnly(), cfg.streamsProperties(kafka))) {
            Map<TopicPartition, Long> end = TopicAdmin.endOffsets(admin, List.of(Topics.SAMPLE_SCORES.name()));
            long records = end.values().stream().mapToLong(Long::longValue).sum();
            streams.start();
            while (streams.state() != KafkaStreams.State.RUNNING) {
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("decode-only topology failed to start");
                }
                Thread.sleep(20);
            }
            long t0 = System.nanoTime();
            long deadline = System.currentTimeMillis() + 600_000;
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
                boolean done = end.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue());
                if (done) {
                    return records / seconds(t0);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("decode-only topology did not reach the end of the topic in 10 minutes");
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * Only the first step of the aggregator's topology: SampleScores read and Avro-decoded, nothing after; run beside
     * the full topology to show what Kafka Streams and decoding alone cost on the same machine.
     */
    static Topology decodeOnly() {
        StreamsBuilder builder = new StreamsBuilder();
        TopicSpec<String, SampleScore> topic = Topics.SAMPLE_SCORES;
        builder.stream(topic.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .mapValues(v -> topic.valueSerde().deserializer().deserialize(topic.name(), v));
        return builder.build();
    }

    /** Seconds the plain consumer takes for the {@code measured} records that follow the first {@code skipped}. */
    private static double rawConsumeSeconds(KafkaSettings kafka, int skipped, int measured) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer("bench-raw-" + System.nanoTime(), "bench-raw"))) {
            Topics.SAMPLE_SCORES.readFromBeginning(consumer);
            long t0 = System.nanoTime();
            long n = 0;
            long bytes = 0;
            while (n < skipped + measured) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (n++ == skipped) {
                        t0 = System.nanoTime();
                    }
                    bytes += r.value().length;
                }
            }
            if (bytes == 0) {
                throw new IllegalStateException("consumed nothing");
            }
            return seconds(t0);
        }
    }


    private void print(int total, int warmTotal, int checkpoints, int partitions, double produceRate, double rawRate,
                       double topologyRate, double floorRate, double startup, long[] lat, AggregatorConfig cfg) {
        double ratio = topologyRate / rawRate;
        long p50 = percentile(lat, 0.50);
        long p95 = percentile(lat, 0.95);
        out.println();
        out.printf(Locale.ROOT, "radar perf aggregate: %,d SampleScores measured after %,d warm-up ones, %d checkpoints, "
                + "%d partitions, exactly_once_v2, %d stream thread(s), commit %d ms, %d CPUs%n", total, warmTotal,
                checkpoints, partitions, cfg.threads(),
                cfg.commitIntervalMs(), Runtime.getRuntime().availableProcessors());
        out.println("+--------------------------------------------------------+----------------+-----------+------+");
        out.println("| measure                                                | value          | target    | ok   |");
        out.println("+--------------------------------------------------------+----------------+-----------+------+");
        row("producer rate (setup, for reference)", rate(produceRate), "", "");
        row("(a) raw consume rate, plain byte consumer, median of 3", rate(rawRate), "", "");
        row("(b) topology sustained rate, backlog -> all complete", rate(topologyRate), "", "");
        row("    ratio (b) / (a)", String.format(Locale.ROOT, "%.2f", ratio), ">= 0.5", ratio >= 0.5 ? "yes" : "NO");
        row("(b0) Kafka Streams + Avro decode only, same backlog", rate(floorRate), "", "");
        row("    ratio (b0) / (a): ceiling of a decoding topology", String.format(Locale.ROOT, "%.2f", floorRate / rawRate), "", "");
        row("    aggregator start-up until RUNNING (not in (b))", String.format(Locale.ROOT, "%.2f s", startup), "", "");
        row(String.format(Locale.ROOT, "(c) latency last score -> complete report, p50 (n=%d)", lat.length), p50 + " ms", "", "");
        row("    p95", p95 + " ms", "< 2000 ms", p95 < 2000 ? "yes" : "NO");
        row("    max", lat[lat.length - 1] + " ms", "", "");
        out.println("+--------------------------------------------------------+----------------+-----------+------+");
        out.printf(Locale.ROOT, "(c) live phase: %d checkpoints x %d samples at %,d SampleScores/s%n", liveCheckpoints, perCheckpoint, liveRate);
    }

    private void row(String name, String value, String target, String ok) {
        out.printf(Locale.ROOT, "| %-54s | %14s | %-9s | %-4s |%n", name, value, target, ok);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f /s", perSecond);
    }

    static long percentile(long[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Produces synthetic plans and scores as the planner and scorers would. */
    private final class Producer implements AutoCloseable {
        static final String VERSION = "bench-0123456789abcdef";
        private final KafkaProducer<byte[], byte[]> producer;
        private final Random random = new Random(42);
        private final java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        private final List<TaskExpectation> expectations = new ArrayList<>();

        Producer(KafkaSettings kafka) {
            java.util.Properties props = kafka.producer("bench-producer");
            // The in-process broker shares 2 cores with this producer and the topology: under the backlog burst a
            // produce request can take longer than the 30 s default, and a timed-out idempotent batch resets its
            // sequence, which the broker then rejects forever (OUT_OF_ORDER_SEQUENCE). Wait instead, in bigger batches.
            props.put(org.apache.kafka.clients.producer.ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "180000");
            props.put(org.apache.kafka.clients.producer.ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
            props.put(org.apache.kafka.clients.producer.ProducerConfig.LINGER_MS_CONFIG, "20");
            props.put(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            producer = new KafkaProducer<>(props);
            for (int t = 0; t < tasks; t++) {
                boolean perception = t < tasks / 2;
                int n = perCheckpoint / tasks + (t < perCheckpoint % tasks ? 1 : 0);
                expectations.add(TaskExpectation.newBuilder().setTask("Task_" + t).setSource("Source_" + (t / 2))
                        .setAbility(perception ? "perception" : "reasoning")
                        .setFineAbility(perception ? "identification" : "spatial_reasoning").setExpectedSamples(n).build());
            }
        }

        /** Plans, then scores, of {@code checkpoints} checkpoints spread over the runs {@code runPrefix + 0..runs-1}. */
        void backlog(String runPrefix, int checkpoints) {
            for (int c = 0; c < checkpoints; c++) {
                plan(runPrefix + (c % runs), 1000L * (c / runs + 1));
            }
            for (int c = 0; c < checkpoints; c++) {
                scores(runPrefix + (c % runs), 1000L * (c / runs + 1), false);
            }
        }

        void plan(String run, long step) {
            EvaluationPlanned p = EvaluationPlanned.newBuilder().setEvaluationId(EventKeys.evaluationId(run, step, VERSION))
                    .setRunId(run).setStep(step).setTokensSeen(step * 4_000_000L).setCheckpointUri("file:///bench/" + step)
                    .setBenchmark("m3-bench").setBenchmarkVersion(VERSION).setShardCount(1).setExpectedSamples(perCheckpoint)
                    .setTasks(expectations).build();
            send(Topics.EVALUATIONS, EventKeys.checkpoint(run, step), p);
        }

        /** Sends every score of one checkpoint; returns the wall-clock ms just before the last send. */
        long scores(String run, long step, boolean flush) {
            String evaluationId = EventKeys.evaluationId(run, step, VERSION);
            String key = EventKeys.checkpoint(run, step);
            long lastSendMs = 0;
            for (TaskExpectation t : expectations) {
                for (int i = 0; i < t.getExpectedSamples(); i++) {
                    double[] logits = {random.nextGaussian() + 0.5, random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
                    double max = Math.max(Math.max(logits[0], logits[1]), Math.max(logits[2], logits[3]));
                    double z = 0;
                    for (double l : logits) {
                        z += Math.exp(l - max);
                    }
                    SampleScore s = SampleScore.newBuilder().setEvaluationId(evaluationId).setRunId(run).setStep(step)
                            .setTokensSeen(step * 4_000_000L).setBenchmarkVersion(VERSION).setTask(t.getTask())
                            .setSource(t.getSource()).setAbility(t.getAbility()).setFineAbility(t.getFineAbility())
                            .setSampleId(t.getTask() + "/q" + i)
                            .setSds(Math.exp(logits[0] - max) / z).setCorrect(logits[0] == max)
                            .setCandidateMeanLogits(List.of(logits[0], logits[1], logits[2], logits[3]))
                            .setCandidateTokenCounts(List.of(3, 4, 2, 5)).setScorerId("bench").build();
                    lastSendMs = System.currentTimeMillis();
                    send(Topics.SAMPLE_SCORES, key, s);
                }
            }
            if (flush) {
                producer.flush();
            }
            return lastSendMs;
        }

        private <V> void send(TopicSpec<String, V> topic, String key, V value) {
            if (failure.get() != null) {
                throw new IllegalStateException("producing the bench input failed", failure.get());
            }
            producer.send(topic.record(key, value), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
        }

        @Override
        public void close() {
            producer.close();
            if (failure.get() != null) {
                throw new IllegalStateException("producing the bench input failed", failure.get());
            }
        }
    }

    /** Reads radar.ability-reports (read_committed) in the background; notes when each key first completes. */
    private static final class ReportWatcher implements AutoCloseable {
        private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        ReportWatcher(KafkaSettings kafka) {
            KafkaConsumer<String, AbilityReport> consumer = new KafkaConsumer<>(kafka.consumer("bench-reports-" + System.nanoTime(), "bench-reports"),
                    Topics.ABILITY_REPORTS.keySerde().deserializer(), Topics.ABILITY_REPORTS.valueSerde().deserializer());
            Topics.ABILITY_REPORTS.readFromBeginning(consumer);
            thread = new Thread(() -> {
                try (consumer) {
                    while (!stop.get()) {
                        for (ConsumerRecord<String, AbilityReport> r : consumer.poll(Duration.ofMillis(20))) {
                            if (r.value() != null && r.value().getComplete()) {
                                completedAt.putIfAbsent(r.key(), System.currentTimeMillis());
                            }
                        }
                    }
                }
            }, "bench-report-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        void awaitComplete(int n, Duration timeout) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (completedAt.size() < n) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("only " + completedAt.size() + " of " + n + " checkpoints completed in " + timeout);
                }
                Thread.sleep(5);
            }
        }

        long completedAt(String key) {
            return completedAt.get(key);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }
}
