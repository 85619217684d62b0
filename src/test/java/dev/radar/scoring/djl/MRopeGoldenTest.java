package dev.radar.scoring.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.BenchSample;
import dev.radar.scoring.image.VisionInput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Qwen2-VL M-RoPE positions computed in Java equal, element by element, those of the real
 * Qwen2VLModel.get_rope_index (models/golden/rope/rope-golden.json, made by make_rope_golden.py): for the whole
 * sequence, for a per-candidate row, and for the candidates of a packed row.
 */
class MRopeGoldenTest {

    private static final Path GOLDEN = Path.of("models", "golden", "rope", "rope-golden.json");

    @Test
    void javaPositionsEqualGetRopeIndex() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(GOLDEN.toFile());
        int imageId = doc.get("imageTokenId").asInt();
        int merge = doc.get("mergeSize").asInt();
        assertTrue(doc.get("cases").size() >= 6);
        for (JsonNode c : doc.get("cases")) {
            String name = c.get("name").asText();
            int[] ids = ints(c.get("ids"));
            for (int i = 0; i < ids.length; i++) {
                ids[i] = ids[i] == imageId ? PreparedSample.IMAGE_SLOT : ids[i];
            }
            int[][] expected = new int[3][];
            for (int d = 0; d < 3; d++) {
                expected[d] = ints(c.get("positions").get(d));
            }
            List<VisionInput> images = new ArrayList<>();
            int[][] merged = new int[c.get("grids").size()][];
            int[] runs = new int[merged.length];
            for (int k = 0; k < merged.length; k++) {
                int[] g = ints(c.get("grids").get(k));
                merged[k] = new int[]{g[0], g[1] / merge, g[2] / merge};
                runs[k] = merged[k][0] * merged[k][1] * merged[k][2];
                images.add(new VisionInput(null, null, g, null, 1, runs[k]));
            }

            int[][] whole = PositionRule.mropePositions(ids, runs, merged);
            for (int d = 0; d < 3; d++) {
                assertArrayEquals(expected[d], whole[d], name + " dim " + d);
            }

            // The same sequence as a per-candidate row (prompt + candidate) and as a packed row of two candidates.
            int candLen = c.get("candidateTokens").asInt();
            int[] prompt = Arrays.copyOf(ids, ids.length - candLen);
            int[] cand = Arrays.copyOfRange(ids, ids.length - candLen, ids.length);
            int[] other = {3, 4, 5, 6, 7};
            BenchSample s = new BenchSample(name, "t", "", "", "q", List.of(), List.of("a", "b"));
            PreparedSample p = new PreparedSample(0, s, prompt, List.of(cand, other), List.of(prompt, prompt), true,
                    List.of(), images, runs, null, 0);
            PositionRule rule = PositionRule.mrope(merge);
            Row perCandidate = Row.perCandidate(p, 0, rule);
            for (int d = 0; d < 3; d++) {
                assertArrayEquals(expected[d], perCandidate.positions()[d], name + " per-candidate dim " + d);
            }
            Row packed = Row.packed(p, rule);
            for (int d = 0; d < 3; d++) {
                assertArrayEquals(Arrays.copyOf(expected[d], ids.length), Arrays.copyOf(packed.positions()[d], ids.length),
                        name + " packed prompt+first candidate dim " + d);
                // The second candidate starts where the first did: prompt max + 1, in all three dims.
                assertEquals(expected[d][prompt.length], packed.positions()[d][ids.length], name + " packed dim " + d);
            }
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
