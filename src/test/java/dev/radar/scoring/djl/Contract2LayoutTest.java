package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.image.VisionInput;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contract-2 batch layout: image_index across samples, position dims, padding, targets, sample checks. */
class Contract2LayoutTest {

    private static final int S = PreparedSample.IMAGE_SLOT;
    private static final int IMG = 90;
    private static final int PAD = 91;

    private static VisionInput image(int tokens) {
        return new VisionInput(new float[0], new long[]{1}, null, null, 1, tokens);
    }

    private static PreparedSample sample(int index, int[] prompt, List<VisionInput> images, int[] runs, int[]... cands) {
        BenchSample s = new BenchSample("q" + index, "t", "", "", "q", List.of(), List.of("a", "b", "c").subList(0, cands.length));
        return new PreparedSample(index, s, prompt, List.of(cands), List.of(prompt, prompt, prompt).subList(0, cands.length),
                true, List.of(), images, runs, null, 0);
    }

    @Test
    void imageIndexFillsSlotsSequentiallyFromEachSamplesFeatureOffset() {
        // Sample 0: two images (2 + 3 tokens), text between; sample 1: no image; sample 2: one image of 1 token.
        PreparedSample a = sample(0, new int[]{5, S, S, 6, S, S, S, 7}, List.of(image(2), image(3)), new int[]{2, 3},
                new int[]{20, 21}, new int[]{30});
        PreparedSample b = sample(1, new int[]{8, 9}, List.of(), new int[0], new int[]{40}, new int[]{41, 42});
        PreparedSample c = sample(2, new int[]{S, 4}, List.of(image(1)), new int[]{1}, new int[]{50}, new int[]{51});
        List<Row> rows = List.of(Row.perCandidate(a, 0, PositionRule.SEQUENTIAL), Row.packed(b),
                Row.perCandidate(c, 1, PositionRule.SEQUENTIAL), Row.perCandidate(a, 1, PositionRule.SEQUENTIAL));
        Map<Integer, Integer> offsets = BatchRunner.featureOffsets(rows);
        assertEquals(Map.of(0, 0, 1, 5, 2, 5), offsets, "a's 5 rows first; b has none; c starts after a");
        BatchRunner.Layout l = BatchRunner.layout(rows, 1, IMG, PAD, offsets);
        assertEquals(4, l.b());
        assertEquals(10, l.t());
        long[] row0 = java.util.Arrays.copyOfRange(l.imageIndex(), 0, 10);
        assertArrayEquals(new long[]{-1, 0, 1, -1, 2, 3, 4, -1, -1, -1}, row0);
        assertArrayEquals(new long[]{5, IMG, IMG, 6, IMG, IMG, IMG, 7, 20, 21}, java.util.Arrays.copyOfRange(l.ids(), 0, 10));
        assertArrayEquals(new long[]{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, java.util.Arrays.copyOfRange(l.imageIndex(), 10, 20));
        assertArrayEquals(new long[]{8, 9, 40, 41, 42, PAD, PAD, PAD, PAD, PAD}, java.util.Arrays.copyOfRange(l.ids(), 10, 20));
        assertArrayEquals(new long[]{5, -1, -1, -1, -1, -1, -1, -1, -1, -1}, java.util.Arrays.copyOfRange(l.imageIndex(), 20, 30));
        // The same sample in a second row of the batch reuses its features (same offset).
        assertArrayEquals(row0.clone(), java.util.Arrays.copyOfRange(l.imageIndex(), 30, 40));
        // Targets: row 3 = a's candidate 1 (one token, predicted by the last prompt token).
        assertEquals(3, l.m(), "packed b scores 3 tokens");
        assertEquals(7, l.targetPos()[3 * 3]);
        assertEquals(30, l.targetIds()[3 * 3]);
        // Padding attends to itself only; real tokens never to padding.
        int t = l.t();
        int base = t * t;
        for (int q = 5; q < t; q++) {
            for (int k = 0; k < t; k++) {
                assertEquals(q == k, l.mask()[base + q * t + k], "pad q=" + q + " k=" + k);
            }
        }
        // Packed b: candidate 1's tokens (41, 42) do not see candidate 0 (40).
        assertFalse(l.mask()[base + 3 * t + 2]);
        assertTrue(l.mask()[base + 3 * t + 1]);
        assertTrue(l.mask()[base + 4 * t + 3]);
    }

    @Test
    void threeDimPositionsAreLaidOutDimMajor() {
        List<VisionInput> imgs = List.of(new VisionInput(new float[0], new long[]{1}, new int[]{1, 4, 4}, null, 1, 4));
        PreparedSample a = sample(0, new int[]{5, S, S, S, S, 6}, imgs, new int[]{4}, new int[]{20}, new int[]{30, 31});
        PositionRule rule = PositionRule.mrope(2);
        Row r = Row.packed(a, rule);
        // text 0; image (2x2 merged) at 1 + (0, h, w); text after continues from max + 1 = 3; candidates from 4.
        assertArrayEquals(new int[]{0, 1, 1, 1, 1, 3, 4, 4, 5}, r.positions()[0]);
        assertArrayEquals(new int[]{0, 1, 1, 2, 2, 3, 4, 4, 5}, r.positions()[1]);
        assertArrayEquals(new int[]{0, 1, 2, 1, 2, 3, 4, 4, 5}, r.positions()[2]);
        BatchRunner.Layout l = BatchRunner.layout(List.of(r, Row.perCandidate(a, 0, rule)), 3, IMG, PAD,
                BatchRunner.featureOffsets(List.of(r)));
        int t = l.t();
        assertEquals(9, t);
        // position_ids[d][b][j] at (d * B + b) * T + j.
        assertEquals(2, l.positions()[(2 * 2 + 0) * t + 2]);
        assertEquals(4, l.positions()[(1 * 2 + 1) * t + 6], "per-candidate row's candidate token, h dim");
        assertEquals(0, l.positions()[(1 * 2 + 1) * t + 8], "padding position");
        assertThrows(IllegalStateException.class, () -> BatchRunner.layout(List.of(r), 1, IMG, PAD,
                BatchRunner.featureOffsets(List.of(r))), "a 3-dim row in a 1-dim package");
    }

    @Test
    void sampleChecksNameTheMismatch() {
        PreparedSample ok = sample(0, new int[]{S, S, 1}, List.of(image(2)), new int[]{2}, new int[]{20}, new int[]{30});
        assertNull(SamplePreparer.contract2Problem(ok, new int[]{2}));
        String fewer = SamplePreparer.contract2Problem(ok, new int[]{3});
        assertTrue(fewer.contains("2 image slots") && fewer.contains("3 visual tokens"), fewer);
        PreparedSample slotInCandidate = sample(0, new int[]{S, S, 1}, List.of(image(2)), new int[]{2}, new int[]{S},
                new int[]{30});
        assertTrue(SamplePreparer.contract2Problem(slotInCandidate, new int[]{2}).contains("candidate 0"));
        PreparedSample badRuns = sample(0, new int[]{S, S, 1}, List.of(image(2)), new int[]{1}, new int[]{20}, new int[]{30});
        assertTrue(SamplePreparer.contract2Problem(badRuns, new int[]{2}).contains("runs"));
        // M-RoPE: a run whose length is not its image's merged grid is refused with both numbers.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PositionRule.mropePositions(new int[]{S, S, S, 1}, new int[]{3}, new int[][]{{1, 2, 2}}));
        assertTrue(e.getMessage().contains("3 slots") && e.getMessage().contains("4"), e.getMessage());
    }
}
