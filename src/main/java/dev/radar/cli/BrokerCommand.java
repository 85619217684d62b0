package dev.radar.cli;

import dev.radar.app.Assembly;
import dev.radar.app.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft) in this process, with RADAR's topics created.",
                "For trying RADAR without a Kafka cluster; production uses an existing cluster (kafka.bootstrap.servers)."})
public final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the broker's logs here across restarts (default: a temporary folder deleted on exit).")
    Path dataDir;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put("broker.port", String.valueOf(port));
        explicit.put("broker.data.dir", dataDir == null ? null : dataDir.toString());
        Assembly broker = Assembly.of(config.load(explicit), Set.of(Role.BROKER));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.stop();
            stopped.countDown();
        }, "broker-shutdown"));
        broker.start();
        System.out.println("Kafka broker ready at " + broker.kafka().bootstrapServers() + " (Ctrl-C to stop)");
        stopped.await();
        return 0;
    }
}
