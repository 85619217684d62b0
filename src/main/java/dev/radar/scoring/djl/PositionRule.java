package dev.radar.scoring.djl;

import dev.radar.scoring.image.VisionInput;

import java.util.List;

/**
 * Position ids of a row's prefix (prompt), [dims][len]; every candidate token then continues from the prefix's
 * largest position + 1 in all dims (what the model computes for prompt+candidate alone: candidate tokens are text
 * after the prompt). The one place that knows how positions are numbered.
 */
interface PositionRule {

    /** Rows of position_ids: 1, or 3 for M-RoPE. */
    int dims();

    /** Positions of {@code ids} (a prompt or joint prefix of {@code p}, image slots included). */
    int[][] prefix(int[] ids, PreparedSample p);

    /** 0, 1, 2, ... in one dim: contract 1, InternVL3.5 and LLaVA-OneVision. */
    PositionRule SEQUENTIAL = new PositionRule() {
        @Override
        public int dims() {
            return 1;
        }

        @Override
        public int[][] prefix(int[] ids, PreparedSample p) {
            int[] pos = new int[ids.length];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = i;
            }
            return new int[][]{pos};
        }
    };

    /** Qwen2-VL's 3-D M-RoPE for images merged {@code mergeSize} x {@code mergeSize}. */
    static PositionRule mrope(int mergeSize) {
        return new PositionRule() {
            @Override
            public int dims() {
                return 3;
            }

            @Override
            public int[][] prefix(int[] ids, PreparedSample p) {
                List<VisionInput> images = p.images();
                int[][] merged = new int[images.size()][];
                for (int k = 0; k < merged.length; k++) {
                    int[] g = images.get(k).grid();
                    merged[k] = new int[]{g[0], g[1] / mergeSize, g[2] / mergeSize};
                }
                return mropePositions(ids, p.imageRuns(), merged);
            }
        };
    }

    /**
     * Qwen2VLModel.get_rope_index's rules for one sequence: a text token takes the next position in all three
     * dims; the k-th run of image slots (text order) is image k of grid (t, h, w) in merged units and gets
     * (t_idx, h_idx, w_idx) + the position the next text token would have had; after it, text continues from the
     * largest position so far + 1. Runs are given by length because two images may be adjacent.
     *
     * @throws IllegalArgumentException when the slots do not match the runs and grids
     */
    static int[][] mropePositions(int[] ids, int[] runs, int[][] mergedGrids) {
        int[][] pos = new int[3][ids.length];
        int next = 0;
        int run = 0;
        int i = 0;
        while (i < ids.length) {
            if (ids[i] != PreparedSample.IMAGE_SLOT) {
                pos[0][i] = next;
                pos[1][i] = next;
                pos[2][i] = next;
                next++;
                i++;
                continue;
            }
            if (run >= runs.length || run >= mergedGrids.length) {
                throw new IllegalArgumentException("image slots at position " + i + " beyond the " + runs.length
                        + " image run(s)");
            }
            int[] g = mergedGrids[run];
            int gt = g[0];
            int gh = g[1];
            int gw = g[2];
            int len = runs[run];
            if (len != gt * gh * gw) {
                throw new IllegalArgumentException("image run " + run + " has " + len + " slots but its grid "
                        + gt + "x" + gh + "x" + gw + " (merged) has " + gt * gh * gw);
            }
            if (i + len > ids.length) {
                throw new IllegalArgumentException("image run " + run + " runs past the end of the sequence");
            }
            for (int j = 0; j < len; j++) {
                if (ids[i + j] != PreparedSample.IMAGE_SLOT) {
                    throw new IllegalArgumentException("image run " + run + " is interrupted at position " + (i + j));
                }
                pos[0][i + j] = next + j / (gh * gw);
                pos[1][i + j] = next + (j / gw) % gh;
                pos[2][i + j] = next + j % gw;
            }
            next += Math.max(gt, Math.max(gh, gw));
            i += len;
            run++;
        }
        return pos;
    }
}
