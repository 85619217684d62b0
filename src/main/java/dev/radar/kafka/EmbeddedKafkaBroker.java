package dev.radar.kafka;

import dev.radar.FileTrees;
import dev.radar.RadarException;
import dev.radar.Service;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * A real single-node Kafka broker (KRaft, broker+controller) running in this JVM, from the Maven Central
 * artifacts: the embedded default of {@code radar demo} and the broker of the integration tests.
 * Nothing is downloaded; start-up takes about two seconds.
 *
 * <p>{@link #withScramUsers} gives a broker whose client listener is SASL_PLAINTEXT with SCRAM-SHA-512 only: the
 * users are written into the cluster metadata when the storage is formatted, and a client without valid
 * credentials is refused. The broker authenticates to itself as an extra user of its own.
 */
public final class EmbeddedKafkaBroker implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    private static final String BROKER_USER = "radar-embedded-broker";
    private static final String SASL_LISTENER = "SASL_PLAINTEXT";

    private final Path dataDir;
    private final boolean deleteOnStop;
    private final String host;
    private final int requestedPort;
    /** SCRAM-SHA-512 users (name to password) of a SASL broker; empty for a PLAINTEXT broker. */
    private final Map<String, String> scramUsers;
    private final String brokerPassword = UUID.randomUUID().toString();
    private KafkaRaftServer server;
    private int brokerPort;

    /**
     * @param dataDir log directory; null for a temporary one deleted on stop
     * @param port    client port; 0 picks a free one
     */
    public EmbeddedKafkaBroker(Path dataDir, int port) {
        this(dataDir, port, Map.of());
    }

    private EmbeddedKafkaBroker(Path dataDir, int port, Map<String, String> scramUsers) {
        this.host = "127.0.0.1";
        this.scramUsers = Map.copyOf(scramUsers);
        this.requestedPort = port;
        try {
            this.deleteOnStop = dataDir == null;
            this.dataDir = dataDir == null ? Files.createTempDirectory("radar-kafka-") : dataDir;
        } catch (IOException e) {
            throw new RadarException("cannot create a Kafka data directory: " + e.getMessage(), e);
        }
    }

    /** A broker on a free port with a temporary data directory. */
    public EmbeddedKafkaBroker() {
        this(null, 0);
    }

    /**
     * A broker on a free port with a temporary data directory whose only client listener is SASL_PLAINTEXT with
     * SCRAM-SHA-512, for {@code users} (name to password; neither may contain a double quote or a backslash, which
     * the format tool's and JAAS's quoting cannot carry).
     */
    public static EmbeddedKafkaBroker withScramUsers(Map<String, String> users) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SASL broker needs at least one SCRAM user");
        }
        users.forEach((name, password) -> {
            checkScramText("user name '" + name + "'", name);
            checkScramText("password of '" + name + "'", password); // the password itself is never shown
        });
        if (users.containsKey(BROKER_USER)) {
            throw new IllegalArgumentException("SCRAM user name '" + BROKER_USER + "' is the broker's own");
        }
        return new EmbeddedKafkaBroker(null, 0, users);
    }

    /**
     * The RADAR settings ({@code kafka.*} keys) with which every component authenticates to a SASL/SCRAM-SHA-512
     * broker as {@code user}: the same keys a deployment sets for its own SCRAM-enabled cluster.
     */
    public static Map<String, String> scramClientSettings(String user, String password) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kafka.security.protocol", "SASL_PLAINTEXT");
        m.put("kafka.sasl.mechanism", SCRAM_MECHANISM);
        m.put("kafka.sasl.jaas.config", scramJaas(user, password));
        return m;
    }

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static void checkScramText(String what, String value) {
        if (value == null || value.isEmpty() || value.contains("\"") || value.contains("\\")) {
            throw new IllegalArgumentException("SCRAM " + what + " must be non-empty, without '\"' or '\\'");
        }
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        long t0 = System.nanoTime();
        brokerPort = requestedPort == 0 ? freePort() : requestedPort;
        int controllerPort = freePort();
        Path logDir = dataDir.resolve("kraft");
        Path config = dataDir.resolve("server.properties");
        Properties props = serverProperties(logDir, brokerPort, controllerPort);
        try {
            Files.createDirectories(logDir);
            try (Writer w = Files.newBufferedWriter(config)) {
                props.store(w, "RADAR embedded KRaft broker");
            }
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config, scramUsers.isEmpty() ? Map.of() : withBrokerUser());
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            awaitPort(brokerPort, 30_000);
        } catch (IOException e) {
            throw new RadarException("cannot start the embedded Kafka broker in " + dataDir + ": " + e.getMessage(), e);
        }
        LOG.info("embedded Kafka broker up at {} ({} ms, data in {})", bootstrapServers(),
                (System.nanoTime() - t0) / 1_000_000, dataDir);
    }

    public String bootstrapServers() {
        return host + ":" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded broker shutdown: {}", e.toString());
        } finally {
            server = null;
        }
        if (deleteOnStop) {
            FileTrees.deleteQuietly(dataDir);
        }
    }

    private Properties serverProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
        // The controller listener stays PLAINTEXT: only this process's own broker half talks to it.
        String client = scramUsers.isEmpty() ? "PLAINTEXT" : SASL_LISTENER;
        p.put("listeners", client + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", client + "://" + host + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", client);
        p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
        if (!scramUsers.isEmpty()) {
            p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
            p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", scramJaas(BROKER_USER, brokerPassword));
        }
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "3");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A killed scorer's open transaction blocks its partitions' committed offsets until the broker aborts it;
        // look for timed-out transactions every second rather than every 10 s (see scorer.transaction.timeout.ms).
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("log.flush.interval.messages", "1000000");
        p.put("auto.create.topics.enable", "false");
        return p;
    }

    private Map<String, String> withBrokerUser() {
        Map<String, String> all = new LinkedHashMap<>(scramUsers);
        all.put(BROKER_USER, brokerPassword);
        return all;
    }

    /** Formats the storage; SCRAM users are written into the bootstrap metadata, where the broker reads them. */
    private static void format(Path config, Map<String, String> scramUsers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString(), "--standalone"));
        scramUsers.forEach((name, password) -> {
            args.add("--add-scram");
            args.add(SCRAM_MECHANISM + "=[name=\"" + name + "\",password=\"" + password + "\"]");
        });
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(args.toArray(String[]::new), ps);
        }
        if (rc != 0) {
            throw new RadarException("formatting the embedded Kafka storage failed: " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new RadarException("no free port for the embedded broker: " + e.getMessage(), e);
        }
    }

    private void awaitPort(int port, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RadarException("interrupted while waiting for the broker", ie);
                }
            }
        }
        throw new RadarException("embedded broker did not open port " + port + " within " + timeoutMs + " ms");
    }
}
