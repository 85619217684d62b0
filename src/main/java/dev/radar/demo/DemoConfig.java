package dev.radar.demo;

import java.nio.file.Path;

/**
 * What {@code radar demo} plays.
 *
 * @param dataDir         working folder (benchmark, Kafka logs, aggregator state); null for a temporary one
 * @param checkpointsDir  folder of checkpoint packages, one sub-folder per step (e.g. step-000100)
 * @param checkpoints     how many checkpoints to publish (0 = all found)
 * @param samplesPerTask  synthetic benchmark size per task (8 tasks)
 * @param intervalMs      pause between two checkpoint events, as a training job saving checkpoints
 * @param webPort         port of the web page (0 = any free port)
 * @param runId           training run id of the played run
 * @param tokensPerStep   tokens seen per optimizer step, to fill tokensSeen
 */
public record DemoConfig(Path dataDir, Path checkpointsDir, int checkpoints, int samplesPerTask, long intervalMs,
                         int webPort, String runId, long tokensPerStep) {

    public static final Path DEFAULT_CHECKPOINTS = Path.of("models/tiny-mllm/checkpoints");

    public static DemoConfig defaults() {
        return new DemoConfig(null, DEFAULT_CHECKPOINTS, 0, 8, 4000, 8080, "demo-run", 1L << 20);
    }
}
