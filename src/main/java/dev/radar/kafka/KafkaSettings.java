package dev.radar.kafka;

import dev.radar.config.RadarProperties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Locale;
import java.util.Properties;

/**
 * Kafka connection settings shared by every RADAR client.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>kafka.bootstrap.servers</td><td>localhost:9092</td><td>brokers to connect to</td></tr>
 *   <tr><td>kafka.*</td><td></td><td>any Kafka client setting (security.protocol, sasl.*, ssl.*), passed through</td></tr>
 *   <tr><td>topics.replication</td><td>1</td><td>replication factor of topics RADAR creates</td></tr>
 *   <tr><td>topics.&lt;name&gt;.partitions</td><td>per topic</td><td>partition count, e.g. topics.radar.shard-tasks.partitions=24</td></tr>
 *   <tr><td>topics.create</td><td>true</td><td>create missing topics on start-up; false: a missing topic fails start-up</td></tr>
 *   <tr><td>startup.timeout.ms</td><td>15000</td><td>how long start-up waits for a broker to answer before failing
 *       with one line (commands and components alike)</td></tr>
 * </table>
 */
public final class KafkaSettings {

    public static final String BOOTSTRAP = "kafka.bootstrap.servers";
    public static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    private final RadarProperties props;

    public KafkaSettings(RadarProperties props) {
        this.props = props;
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(RadarProperties.empty().with(BOOTSTRAP, bootstrapServers));
    }

    public RadarProperties properties() {
        return props;
    }

    public String bootstrapServers() {
        return props.get(BOOTSTRAP, DEFAULT_BOOTSTRAP);
    }

    public int partitions(TopicSpec<?, ?> topic) {
        return props.getInt("topics." + topic.name() + ".partitions", topic.partitions());
    }

    public short replication() {
        return (short) props.getInt("topics.replication", 1);
    }

    public boolean createTopics() {
        return props.getBoolean("topics.create", true);
    }

    /** How long start-up waits for Kafka before it fails (key startup.timeout.ms). */
    public java.time.Duration startupTimeout() {
        return java.time.Duration.ofMillis(Math.max(1, props.getLong("startup.timeout.ms", 15_000)));
    }

    /** Settings common to every client: bootstrap servers plus every {@code kafka.*} pass-through (security included). */
    public Properties common(String clientId) {
        Properties p = props.kafkaClientProperties();
        p.putIfAbsent(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, DEFAULT_BOOTSTRAP);
        if (clientId != null) {
            p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        }
        return p;
    }

    public Properties admin() {
        Properties p = common("radar-admin");
        p.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        return p;
    }

    /** Byte-level producer (records are encoded with {@link TopicSpec} serdes by the caller), idempotent. */
    public Properties producer(String clientId) {
        Properties p = common(clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /** Transactional producer for exactly-once produce + offset commit. */
    public Properties transactionalProducer(String clientId, String transactionalId) {
        Properties p = producer(clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return p;
    }

    /** Byte-level consumer, read_committed, manual commits: callers decode and dead-letter bad records themselves. */
    public Properties consumer(String groupId, String clientId) {
        Properties p = common(clientId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return p;
    }

    /** A host-unique, readable client id suffix. */
    public static String hostId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        return host.toLowerCase(Locale.ROOT) + "-" + ProcessHandle.current().pid();
    }
}
