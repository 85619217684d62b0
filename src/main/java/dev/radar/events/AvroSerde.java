package dev.radar.events;

import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Kafka serde for a generated Avro record using Avro's single-object encoding (a 10-byte header carrying the
 * writer schema's fingerprint, then the binary body). No schema-registry server is needed: the decoder knows the
 * current schema and every older version shipped under {@code schemas/history/{Name}-v{n}.avsc}, and resolves
 * old records to the current class (new fields take their defaults).
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    /**
     * Largest string or bytes field (16 MiB) and collection (1M items) a record may declare. Avro's own defaults are
     * about 2 GiB, so a 16-byte record declaring a huge string made the decoder allocate it and die with an
     * OutOfMemoryError; with these limits it is a decode error like any other corrupt record. Users can still
     * raise them with the same system properties, which Avro reads once when it first checks a limit.
     */
    static final Map<String, String> DECODE_LIMITS = Map.of(
            "org.apache.avro.limits.string.maxLength", String.valueOf(16 << 20),
            "org.apache.avro.limits.bytes.maxLength", String.valueOf(16 << 20),
            "org.apache.avro.limits.collectionItems.maxLength", String.valueOf(1 << 20));

    static {
        DECODE_LIMITS.forEach((key, value) -> {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        });
        // Avro reads the properties once, when SystemLimitException is initialised; if any Avro code ran before
        // this class, that already happened with Avro's defaults, so ask it to read them again (package-private,
        // test-only method of Avro: reached by reflection, and harmless when it already saw our values).
        try {
            java.lang.reflect.Method reset = SystemLimitException.class.getDeclaredMethod("resetLimits");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(AvroSerde.class).warn("Avro decode limits may keep Avro's defaults "
                    + "(set -D{}=... on the command line): {}", DECODE_LIMITS.keySet().iterator().next(), e.toString());
        }
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroSerde(Class<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        SchemaStore.Cache history = new SchemaStore.Cache();
        for (Schema old : historicSchemas(schema)) {
            history.addSchema(old);
        }
        this.decoder = new BinaryMessageDecoder<>(model, schema, history);
    }

    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    /** The event class this serde reads and writes (the wire-format vectors check each topic's). */
    public Class<T> type() {
        return type;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buf = encoder.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes bytes written with the current or any shipped older schema; unknown or corrupt bytes throw. */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // OutOfMemoryError: a declared length under the limits can still exceed what this heap has left.
            throw new SerializationException("not a valid " + type.getSimpleName() + " record ("
                    + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> decode(bytes);
    }

    /** Older versions of {@code current}, read from {@code schemas/history/{Name}-v1.avsc, -v2...} on the classpath. */
    static java.util.List<Schema> historicSchemas(Schema current) {
        java.util.List<Schema> out = new java.util.ArrayList<>();
        for (int v = 1; ; v++) {
            String resource = "/schemas/history/" + current.getName() + "-v" + v + ".avsc";
            try (InputStream in = AvroSerde.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return out;
                }
                out.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read shipped schema " + resource, e);
            }
        }
    }
}
