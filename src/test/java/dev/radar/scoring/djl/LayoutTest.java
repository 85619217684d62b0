package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure layout logic: packed rows, per-candidate rows, batching, image tiling. */
class LayoutTest {

    @TempDir
    Path tmp;

    private static PreparedSample prepared(int[] prompt, int[]... cands) {
        BenchSample s = new BenchSample("1", "t", "", "", "q", List.of(), List.of("a", "b", "c").subList(0, cands.length));
        return new PreparedSample(0, s, prompt, List.of(cands), List.of(prompt, prompt, prompt).subList(0, cands.length),
                true, List.of(), null, 0);
    }

    @Test
    void packedRowSharesThePromptAndContinuesPositions() {
        Row r = Row.packed(prepared(new int[]{10, 11, 12}, new int[]{20, 21}, new int[]{30}));
        assertArrayEquals(new int[]{10, 11, 12, 20, 21, 30}, r.ids());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 3}, r.positions()[0]);
        assertArrayEquals(new int[]{0, 0, 0, 1, 1, 2}, r.segments());
        // Token 20 predicted by the last prompt token (2), 21 by 20 (3), 30 by the last prompt token again.
        assertArrayEquals(new int[]{2, 3, 2}, r.targetPos());
        assertArrayEquals(new int[]{20, 21, 30}, r.targetIds());
        assertArrayEquals(new int[]{0, 0, 1}, r.targetCand());
        assertArrayEquals(new int[]{0, 1, 0}, r.targetTok());
        assertEquals(5, r.positionSpan());
    }

    @Test
    void perCandidateRowIsPromptPlusCandidate() {
        Row r = Row.perCandidate(prepared(new int[]{10, 11, 12}, new int[]{20, 21}, new int[]{30}), 0);
        assertArrayEquals(new int[]{10, 11, 12, 20, 21}, r.ids());
        assertArrayEquals(new int[]{2, 3}, r.targetPos());
        assertTrue(r.plainCausal());
    }

    @Test
    void batchesRespectTheTokenBudgetLongestFirst() {
        List<Row> rows = new ArrayList<>();
        for (int len : new int[]{5, 9, 3, 9, 4}) {
            rows.add(Row.perCandidate(prepared(new int[len - 1], new int[]{1}, new int[]{2}), 0));
        }
        List<List<Row>> b = BatchRunner.batches(rows, 20);
        assertEquals(List.of(9, 9), b.get(0).stream().map(Row::length).toList());
        assertEquals(List.of(5, 4, 3), b.get(1).stream().map(Row::length).toList());
        assertEquals(5, BatchRunner.batches(rows, 1).size(), "a row longer than the budget still gets its own batch");
    }

    @Test
    void tilingCutsAGridAndAddsAThumbnail() throws Exception {
        BufferedImage img = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 32; y++) {
                img.setRGB(x, y, x < 32 ? 0xff0000 : 0x0000ff);
            }
        }
        Path file = tmp.resolve("two.png");
        ImageIO.write(img, "png", file.toFile());
        ModelConfig.Image cfg = new ModelConfig.Image(List.of(16, 16), List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0),
                "bilinear", new ModelConfig.Tiling(List.of(1, 2), true));
        assertEquals(3, cfg.tilesPerImage());
        List<float[]> tiles = new ImagePreprocessor(cfg).tiles(file);
        assertEquals(3, tiles.size());
        int plane = 16 * 16;
        assertEquals(1.0f, tiles.get(0)[plane / 2], 1e-6, "left tile red");
        assertEquals(0.0f, tiles.get(0)[2 * plane + plane / 2], 1e-6);
        assertEquals(1.0f, tiles.get(1)[2 * plane + plane / 2], 1e-6, "right tile blue");
        assertEquals(3 * plane, tiles.get(2).length);
    }
}
