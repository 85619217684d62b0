package dev.radar.watch;

import dev.radar.RadarException;
import dev.radar.Service;
import dev.radar.checkpoint.CheckpointValidator;
import dev.radar.events.CheckpointSaved;
import dev.radar.events.DeadLetter;
import dev.radar.events.EventKeys;
import dev.radar.kafka.DeadLetters;
import dev.radar.kafka.KafkaSettings;
import dev.radar.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls a folder for complete checkpoint sub-folders and publishes one {@link CheckpointSaved} per folder to
 * {@code radar.checkpoints}, waiting for the broker's ack before recording it in {@link PublishedState}.
 * A folder whose step cannot be parsed is logged and sent to {@code radar.dead-letters} once, never skipped silently.
 * Polling (not WatchService) because checkpoints often live on network file systems that deliver no events.
 */
public final class CheckpointWatcher implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWatcher.class);
    public static final String COMPONENT = "watcher";

    private final WatchConfig config;
    private final KafkaSettings kafka;
    private final CheckpointScanner scanner;
    private final CheckpointValidator validator = new CheckpointValidator(List.of());
    private final AtomicLong published = new AtomicLong();
    private PublishedState state;
    private Producer<byte[], byte[]> producer;
    private ScheduledExecutorService poller;

    public CheckpointWatcher(WatchConfig config, KafkaSettings kafka) {
        this.config = config;
        this.kafka = kafka;
        this.scanner = new CheckpointScanner(config);
    }

    @Override
    public synchronized void start() throws IOException {
        if (poller != null) {
            return;
        }
        if (!Files.isDirectory(config.dir())) {
            throw new RadarException("watch.dir " + config.dir() + " is not a folder");
        }
        state = new PublishedState(config.dir().resolve(config.stateFile()));
        Properties props = kafka.producer("radar-watch-" + KafkaSettings.hostId());
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        producer = new KafkaProducer<>(props);
        poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "radar-watch"));
        poller.scheduleWithFixedDelay(this::pollSafely, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("watching {} for checkpoints of run {} (markers {}, or {} with a stable size)",
                config.dir(), config.runId(), config.markers(), config.modelFiles());
    }

    private void pollSafely() {
        try {
            poll();
        } catch (Exception e) {
            // Broker or file system trouble: nothing was recorded, so the next poll retries.
            LOG.warn("watch poll of {} failed, retrying: {}", config.dir(), e.toString());
        }
    }

    /** One scan; publishes every newly complete checkpoint. Package-private for tests. */
    void poll() throws Exception {
        for (CheckpointScanner.Found f : scanner.scan(state.folders())) {
            if (f.step().isEmpty()) {
                reportUnparseable(f);
                continue;
            }
            CheckpointSaved event = CheckpointSaved.newBuilder()
                    .setRunId(config.runId()).setStep(f.step().getAsLong())
                    .setCheckpointUri(f.path().toAbsolutePath().toString())
                    .setBenchmark(config.benchmark()).setModelFormat(config.modelFormat())
                    .setAttributes(Map.of("source", "radar-watch", "folder", f.folder()))
                    .setPublishedAtMs(System.currentTimeMillis()).build();
            var rejection = validator.check(event);
            if (rejection.isPresent()) {
                deadLetter(f, rejection.get().reason(), rejection.get().detail());
                continue;
            }
            String key = EventKeys.checkpoint(config.runId(), event.getStep());
            producer.send(Topics.CHECKPOINTS.record(key, event)).get(60, TimeUnit.SECONDS);
            state.record(f.folder(), Long.toString(event.getStep()));
            published.incrementAndGet();
            LOG.info("published checkpoint {} step {} of run {}", f.path(), event.getStep(), config.runId());
        }
    }

    private void reportUnparseable(CheckpointScanner.Found f) throws Exception {
        deadLetter(f, "unparseable-step", "no step in folder name '" + f.folder() + "' (watch.step.pattern="
                + config.stepPattern().pattern() + "); rename it or set the pattern");
    }

    private void deadLetter(CheckpointScanner.Found f, String reason, String detail) throws Exception {
        DeadLetter letter = DeadLetters.of(COMPONENT, "folder:" + f.path(), reason, detail).setRunId(config.runId()).build();
        DeadLetters.send(producer, config.runId(), letter);
        producer.flush();
        state.record(f.folder(), PublishedState.UNPARSEABLE);
    }

    /** Checkpoints published since start. */
    public long published() {
        return published.get();
    }

    @Override
    public synchronized void stop() {
        if (poller == null) {
            return;
        }
        poller.shutdown();
        try {
            if (!poller.awaitTermination(70, TimeUnit.SECONDS)) {
                poller.shutdownNow();
            }
        } catch (InterruptedException e) {
            poller.shutdownNow();
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
        poller = null;
    }

    @Override
    public String name() {
        return COMPONENT;
    }
}
