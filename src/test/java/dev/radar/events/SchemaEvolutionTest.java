package dev.radar.events;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SchemaEvolutionTest {

    @Test
    void recordWrittenWithV1SchemaReadsAsCurrentClassWithDefaults() {
        List<Schema> history = AvroSerde.historicSchemas(CheckpointSaved.getClassSchema());
        assertEquals(1, history.size(), "schemas/history/CheckpointSaved-v1.avsc ships in the jar");
        Schema v1 = history.get(0);

        GenericRecord old = new GenericData.Record(v1);
        old.put("runId", "run-a");
        old.put("step", 1000L);
        old.put("checkpointUri", "file:///ckpt/1000");
        old.put("modelFormat", "radar-torchscript");
        old.put("benchmark", "m3-bench");
        byte[] bytes = encode(v1, old);

        CheckpointSaved read = AvroSerde.of(CheckpointSaved.class).decode(bytes);
        assertEquals("run-a", read.getRunId());
        assertEquals(1000L, read.getStep());
        assertEquals("file:///ckpt/1000", read.getCheckpointUri());
        assertNull(read.getTokensSeen(), "field added in v2 takes its default");
        assertFalse(read.getReevaluate());
        assertEquals(Map.of(), read.getAttributes());
    }

    @Test
    void sampleScoreWrittenBeforePromptRulesWereRecordedStillReads() {
        List<Schema> history = AvroSerde.historicSchemas(SampleScore.getClassSchema());
        assertEquals(1, history.size(), "schemas/history/SampleScore-v1.avsc ships in the jar");
        Schema v1 = history.get(0);
        assertNull(v1.getField("promptRules"), "v1 is the schema without the prompt-rules version");

        GenericRecord old = new GenericData.Record(v1);
        old.put("evaluationId", "e");
        old.put("runId", "run-a");
        old.put("step", 300L);
        old.put("benchmarkVersion", "m3/1");
        old.put("task", "MMBench_ocr");
        old.put("source", "MMBench");
        old.put("ability", "perception");
        old.put("fineAbility", "ocr");
        old.put("sampleId", "17");
        old.put("shardIndex", 2);
        old.put("sds", 0.625);
        old.put("correct", true);
        old.put("llCorrect", true);
        old.put("llNormCorrect", false);
        old.put("candidateMeanLogits", List.of(1.5, 0.25));
        old.put("candidateTokenCounts", List.of(2, 3));
        old.put("scorerId", "s1");
        old.put("scoreMillis", 12.5);
        old.put("scoredAtMs", 99L);
        SampleScore read = AvroSerde.of(SampleScore.class).decode(encode(v1, old));
        assertEquals("run-a", read.getRunId());
        assertEquals(0.625, read.getSds());
        assertEquals(List.of(2, 3), read.getCandidateTokenCounts());
        assertNull(read.getPromptRules(), "field added in v2 takes its default");

        AvroSerde<SampleScore> serde = AvroSerde.of(SampleScore.class);
        SampleScore now = SampleScore.newBuilder(read).setPromptRules("qwen2-vl/1").build();
        assertEquals("qwen2-vl/1", serde.decode(serde.encode(now)).getPromptRules());
    }

    @Test
    void currentRecordRoundTrips() {
        AvroSerde<CheckpointSaved> serde = AvroSerde.of(CheckpointSaved.class);
        CheckpointSaved event = CheckpointSaved.newBuilder()
                .setRunId("r").setStep(7).setCheckpointUri("/c").setTokensSeen(123L)
                .setAttributes(Map.of("data_mix", "web:0.7")).build();
        assertEquals(event, serde.decode(serde.encode(event)));
    }

    @Test
    void garbageAndForeignRecordsAreRejectedWithTheTypeName() {
        AvroSerde<CheckpointSaved> serde = AvroSerde.of(CheckpointSaved.class);
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde.decode("{\"runId\":\"x\"}".getBytes()));
        assertEquals(true, e.getMessage().contains("CheckpointSaved"));
        byte[] other = AvroSerde.of(AbilityAlert.class).encode(AbilityAlert.newBuilder().setRunId("r").setStep(1)
                .setAbility("reasoning").setKind(AlertKind.STAGNATION).setSteps(List.of(1L)).setValues(List.of(0.5))
                .setSlope(0).setGain(0).setThreshold(0.01).setMessage("m").build());
        assertThrows(SerializationException.class, () -> serde.decode(other));
    }

    private static byte[] encode(Schema schema, GenericRecord record) {
        try {
            var buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
