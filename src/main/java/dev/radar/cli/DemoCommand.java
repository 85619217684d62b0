package dev.radar.cli;

import dev.radar.demo.Demo;
import dev.radar.demo.DemoConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The embedded default: start a Kafka broker, planner, scorer, aggregator and web page in this",
                "process, generate the synthetic benchmark, and play a training run that saves checkpoints of the test",
                "model. Watch the curves in the browser; --exit-when-done ends with the ability table (for scripts)."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--checkpoints", paramLabel = "N", defaultValue = "0",
            description = "Checkpoints to play (default: all found).")
    int checkpoints;

    @Option(names = "--checkpoints-dir", paramLabel = "DIR", description = "Checkpoint snapshots (default: ${DEFAULT-VALUE}).")
    Path checkpointsDir = DemoConfig.DEFAULT_CHECKPOINTS;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "8",
            description = "Synthetic samples per task, 8 tasks (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "4000",
            description = "Milliseconds between two checkpoint events (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Option(names = "--port", defaultValue = "8080", description = "Web page port (default: ${DEFAULT-VALUE}; 0 = any free).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep the working folder here (default: temporary).")
    Path dataDir;

    @Option(names = "--run", defaultValue = "demo-run", description = "Run id (default: ${DEFAULT-VALUE}).")
    String runId;

    @Option(names = "--exit-when-done", description = "Print the ability table and exit once every checkpoint is evaluated.")
    boolean exitWhenDone;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "900",
            description = "With --exit-when-done: give up after S seconds (default: ${DEFAULT-VALUE}).")
    long timeoutS;

    @Override
    public Integer call() throws Exception {
        DemoConfig cfg = new DemoConfig(dataDir, checkpointsDir, checkpoints, samples, intervalMs, port, runId, 1L << 20);
        Demo demo = new Demo(cfg, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.stop();
            stopped.countDown();
        }, "demo-shutdown"));
        demo.start();
        demo.playTrainingRun();
        boolean done = demo.awaitCompletion(timeoutS * 1000);
        System.out.println();
        System.out.print(demo.abilityTable());
        if (exitWhenDone) {
            if (!done) {
                System.err.println("radar demo: not every checkpoint was evaluated within " + timeoutS + " s");
            }
            return done ? 0 : 1;
        }
        System.out.println("\nAll checkpoints evaluated. The page stays up at " + demo.webUrl() + " ; Ctrl-C to stop.");
        stopped.await();
        return 0;
    }
}
