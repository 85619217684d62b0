package dev.radar.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.kafka.TopicSpec;
import dev.radar.kafka.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared wire-format vectors ({@code schemas/test-vectors/*.json}, documented in {@code schemas/README.md}):
 * every event, read from Avro's JSON encoding, encodes to exactly the vector's bytes, and the bytes decode to that
 * event; its key is the one RADAR uses and lands on the vector's partition. The Python client's test checks the
 * same files, so both sides encode byte for byte alike.
 */
class WireFormatVectorsTest {

    private static final Path VECTORS = Path.of("schemas", "test-vectors");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyVectorEncodesToItsBytesAndDecodesToItsEvent() throws IOException {
        List<Path> files = vectorFiles();
        assertTrue(files.size() >= 3, "vectors found in " + VECTORS.toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
    }

    @Test
    void everyTopicsEventTypeHasAVector() throws IOException {
        Set<String> covered = new TreeSet<>();
        for (Path f : vectorFiles()) {
            covered.add(JSON.readTree(f.toFile()).get("schema").asText());
        }
        Set<String> events = Topics.ALL.stream()
                .map(t -> ((AvroSerde<?>) t.valueSerde()).type().getSimpleName())
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(covered.containsAll(events), "vectors cover " + covered + ", topics carry " + events);
    }

    private static List<Path> vectorFiles() throws IOException {
        try (Stream<Path> s = Files.list(VECTORS)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void check(Path file) throws Exception {
        JsonNode v = JSON.readTree(file.toFile());
        Class<? extends SpecificRecord> type =
                (Class<? extends SpecificRecord>) Class.forName("dev.radar.events." + v.get("schema").asText());
        AvroSerde serde = AvroSerde.of(type);
        byte[] expected = HexFormat.of().parseHex(v.get("bytes").asText());

        byte[] encoded;
        if (v.has("writerSchema")) {
            // An event written by an older schema version: encode it as an old producer did.
            Schema writer = new Schema.Parser().parse(Files.readString(Path.of("schemas", v.get("writerSchema").asText())));
            GenericRecord old = new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().jsonDecoder(writer, v.get("event").toString()));
            encoded = bytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(old));
        } else {
            encoded = serde.encode(readSpecific(type, v.get("event")));
        }
        assertEquals(v.get("bytes").asText(), HexFormat.of().formatHex(encoded), "encoding of " + file);

        SpecificRecord decoded = (SpecificRecord) serde.decode(expected);
        SpecificRecord event = readSpecific(type, v.has("decoded") ? v.get("decoded") : v.get("event"));
        assertEquals(event, decoded, "decoding of " + file);

        if (v.has("partition")) {
            TopicSpec<?, ?> topic = Topics.ALL.stream().filter(t -> t.name().equals(v.get("topic").asText()))
                    .findFirst().orElseThrow();
            assertEquals(type, ((AvroSerde<?>) topic.valueSerde()).type(), "event type of " + topic.name());
            assertEquals(key(decoded), v.get("key").asText(), "key of " + file);
            assertEquals(topic.partitions(), v.get("partitions").asInt(), "partitions of " + topic.name());
            byte[] key = v.get("key").asText().getBytes(StandardCharsets.UTF_8);
            assertEquals(Utils.toPositive(Utils.murmur2(key)) % topic.partitions(), v.get("partition").asInt(),
                    "partition of key " + v.get("key"));
        }
    }

    /** The key RADAR writes each event type with. */
    private static String key(SpecificRecord r) {
        if (r instanceof CheckpointSaved e) {
            return EventKeys.checkpoint(e.getRunId(), e.getStep());
        } else if (r instanceof EvaluationPlanned e) {
            return EventKeys.checkpoint(e.getRunId(), e.getStep());
        } else if (r instanceof SampleScore e) {
            return EventKeys.checkpoint(e.getRunId(), e.getStep());
        } else if (r instanceof ShardTask e) {
            return EventKeys.shard(e.getEvaluationId(), e.getShardIndex());
        } else if (r instanceof AbilityReport e) {
            return EventKeys.report(e.getRunId(), e.getStep(), e.getBenchmarkVersion());
        } else if (r instanceof AbilityAlert e) {
            return e.getRunId();
        }
        throw new AssertionError("no key rule for " + r.getClass().getSimpleName());
    }

    /** Reads Avro's JSON encoding into the generated class; maps keep the JSON's entry order, which Avro encodes. */
    private static <T extends SpecificRecord> T readSpecific(Class<T> type, JsonNode event) throws IOException {
        // Avro's fast reader (on by default) builds maps as HashMaps itself; the classic reader asks newMap.
        SpecificData model = new SpecificData(type.getClassLoader());
        model.setFastReaderEnabled(false);
        Schema schema = model.getSchema(type);
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema, schema, model) {
            @Override
            protected Object newMap(Object old, int size) {
                return new LinkedHashMap<>(size);
            }
        };
        return reader.read(null, DecoderFactory.get().jsonDecoder(schema, event.toString()));
    }

    private static byte[] bytes(java.nio.ByteBuffer buf) {
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }
}
