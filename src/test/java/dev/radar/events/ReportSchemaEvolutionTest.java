package dev.radar.events;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reports, alerts and plans written before chance levels, checkpoint URIs and alert evidence were added still read. */
class ReportSchemaEvolutionTest {

    private static Schema v1(Schema current) {
        List<Schema> history = AvroSerde.historicSchemas(current);
        assertEquals(1, history.size(), "schemas/history/" + current.getName() + "-v1.avsc ships in the jar");
        return history.get(0);
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws java.io.IOException {
        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record).array();
    }

    @Test
    void abilityReportV1ReadsWithoutUriAttributesOrChance() throws Exception {
        Schema v1 = v1(AbilityReport.getClassSchema());
        Schema scoreV1 = v1.getField("abilities").schema().getElementType();
        GenericRecord score = new GenericData.Record(scoreV1);
        score.put("name", "reasoning");
        score.put("level", "ability");
        score.put("sds", 0.31);
        score.put("accuracy", 0.4);
        score.put("stderr", 0.02);
        score.put("samples", 32);
        score.put("expectedSamples", 32);
        score.put("failed", 0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("evaluationId", "e");
        old.put("runId", "run-a");
        old.put("step", 150L);
        old.put("benchmarkVersion", "v");
        old.put("complete", true);
        old.put("progress", 1.0);
        old.put("abilities", List.of(score));
        old.put("tasks", List.of());
        old.put("updatedAtMs", 5L);
        AbilityReport read = AvroSerde.of(AbilityReport.class).decode(encode(v1, old));
        assertEquals(150L, read.getStep());
        assertEquals(0.31, read.getAbilities().get(0).getSds());
        assertNull(read.getAbilities().get(0).getChance());
        assertNull(read.getCheckpointUri());
        assertEquals(Map.of(), read.getAttributes());
    }

    @Test
    void abilityAlertV1ReadsWithoutStandardErrors() throws Exception {
        Schema v1 = v1(AbilityAlert.getClassSchema());
        GenericRecord old = new GenericData.Record(v1);
        old.put("runId", "run-a");
        old.put("step", 150L);
        old.put("evaluationId", "e");
        old.put("ability", "reasoning");
        old.put("kind", new GenericData.EnumSymbol(v1.getField("kind").schema(), "STAGNATION"));
        old.put("steps", List.of(0L, 75L, 150L));
        old.put("values", List.of(0.24, 0.31, 0.31));
        old.put("slope", 0.4);
        old.put("gain", 0.0686);
        old.put("threshold", 0.072);
        old.put("message", "old");
        old.put("firedAtMs", 1L);
        AbilityAlert read = AvroSerde.of(AbilityAlert.class).decode(encode(v1, old));
        assertEquals(0.0686, read.getGain());
        assertEquals(0.0, read.getGainStderr());
        assertEquals(0, read.getMinSamples());
    }

    @Test
    void evaluationPlannedV1ReadsWithUnknownChance() throws Exception {
        Schema v1 = v1(EvaluationPlanned.getClassSchema());
        GenericRecord task = new GenericData.Record(v1.getField("tasks").schema().getElementType());
        task.put("task", "MMBench_ocr");
        task.put("source", "MMBench");
        task.put("ability", "perception");
        task.put("fineAbility", "ocr");
        task.put("expectedSamples", 8);
        GenericRecord old = new GenericData.Record(v1);
        old.put("evaluationId", "e");
        old.put("runId", "run-a");
        old.put("step", 1L);
        old.put("checkpointUri", "/ckpt/1");
        old.put("benchmark", "m3-bench");
        old.put("benchmarkVersion", "v");
        old.put("shardCount", 1);
        old.put("expectedSamples", 8);
        old.put("tasks", List.of(task));
        old.put("expectedByAbility", Map.of());
        old.put("attributes", Map.of());
        old.put("plannedAtMs", 0L);
        EvaluationPlanned read = AvroSerde.of(EvaluationPlanned.class).decode(encode(v1, old));
        assertEquals(8, read.getTasks().get(0).getExpectedSamples());
        assertEquals(0.0, read.getTasks().get(0).getChance(), "unknown chance");
    }
}
