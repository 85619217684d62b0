package dev.radar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * PythonRandom against CPython, draw for draw: models/golden/prompts/python_random.json was written by CPython
 * (make_prompt_golden.py). Doubles are compared bit for bit: the reference tests {@code random.random() > 0.5}.
 */
class PythonRandomTest {
    private static JsonNode golden;

    @BeforeAll
    static void load() throws IOException {
        golden = new ObjectMapper().readTree(RepoFiles.path("models/golden/prompts/python_random.json").toFile());
    }

    private static void assertSameDoubles(String name, PythonRandom r) {
        JsonNode expected = golden.get(name);
        for (int i = 0; i < expected.size(); i++) {
            double want = expected.get(i).asDouble();
            double got = r.random();
            assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                    name + " draw " + i + ": CPython " + want + ", Java " + got);
        }
    }

    @Test
    void randomMatchesCPythonForSeedZero() {
        assertEquals(2000, golden.get("seed0_random").size());
        assertSameDoubles("seed0_random", new PythonRandom(0));
    }

    @Test
    void seedsOfOneAndTwoWordsMatchCPython() {
        assertSameDoubles("seed1_random", new PythonRandom(1));
        assertSameDoubles("seed12345_random", new PythonRandom(12345));
        assertSameDoubles("seed4294967303_random", new PythonRandom((1L << 32) + 7));
        assertSameDoubles("seed1099511627779_random", new PythonRandom((1L << 40) + 3));
    }

    @Test
    void interleavedRandomAndSampleMatchCPython() {
        PythonRandom r = new PythonRandom(0);
        JsonNode mixed = golden.get("seed0_mixed");
        assertEquals(1500, mixed.size());
        for (int i = 0; i < mixed.size(); i++) {
            JsonNode step = mixed.get(i);
            if (step.get(0).asText().equals("random")) {
                assertEquals(step.get(1).asDouble(), r.random(), 0.0, "step " + i);
            } else {
                int n = step.get(1).asInt();
                assertEquals(step.get(2).asInt(), r.sampleOneIndex(n), "step " + i + ": random.sample(range(" + n
                        + "), 1)");
            }
        }
    }

    @Test
    void getrandbitsMatchesCPython() {
        PythonRandom r = new PythonRandom(0);
        for (JsonNode step : golden.get("seed0_getrandbits")) {
            int k = step.get(0).asInt();
            assertEquals(step.get(1).asLong(), r.getrandbits(k), "getrandbits(" + k + ")");
        }
    }

    @Test
    void rejectsWhatCPythonWouldNotDoHere() {
        assertThrows(IllegalArgumentException.class, () -> new PythonRandom(-1));
        assertThrows(IllegalArgumentException.class, () -> new PythonRandom(0).randbelow(0));
    }
}
