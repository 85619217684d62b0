package dev.radar.scoring.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.radar.scoring.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups rows into forward batches by length under a padded-token budget, lays each batch out as the model.pt
 * contract's tensors and runs it. The only place that knows the tensor layout on the Java side.
 */
final class BatchRunner {

    /** Raw logits and logsumexps of one batch, per row and target; timings for the stats. */
    record Output(List<Row> rows, float[][] raw, float[][] lse, long inputNanos, long forwardNanos, long tokens) {
    }

    private final ScoringModel model;
    private final int tileFloats;
    private final int height;
    private final int width;

    BatchRunner(ScoringModel model) {
        this.model = model;
        ModelConfig.Image img = model.config().image();
        this.height = img.height();
        this.width = img.width();
        this.tileFloats = 3 * height * width;
    }

    /** Longest rows first, greedily filled while rows x longest row stays within {@code batchTokens}. */
    static List<List<Row>> batches(List<Row> rows, int batchTokens) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(Row::length).reversed());
        List<List<Row>> out = new ArrayList<>();
        List<Row> cur = new ArrayList<>();
        int longest = 0;
        for (Row r : sorted) {
            int l = Math.max(longest, r.length());
            if (!cur.isEmpty() && (long) l * (cur.size() + 1) > batchTokens) {
                out.add(cur);
                cur = new ArrayList<>();
                l = r.length();
            }
            cur.add(r);
            longest = l;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    Output run(List<Row> rows) {
        long t0 = System.nanoTime();
        int b = rows.size();
        int t = 0;
        int n = 1;
        int m = 1;
        long tokens = 0;
        for (Row r : rows) {
            t = Math.max(t, r.length());
            n = Math.max(n, r.tiles().size());
            m = Math.max(m, r.targetPos().length);
            tokens += r.length();
        }
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        boolean[] mask = new boolean[b * t * t];
        float[] pix = new float[b * n * tileFloats];
        long[] tPos = new long[b * m];
        long[] tIds = new long[b * m];
        Arrays.fill(ids, model.padTokenId());
        for (int i = 0; i < b; i++) {
            Row r = rows.get(i);
            int len = r.length();
            for (int j = 0; j < len; j++) {
                ids[i * t + j] = r.ids()[j];
                pos[i * t + j] = r.positions()[j];
            }
            fillMask(mask, i * t * t, t, r);
            for (int k = 0; k < r.tiles().size(); k++) {
                System.arraycopy(r.tiles().get(k), 0, pix, (i * n + k) * tileFloats, tileFloats);
            }
            for (int j = 0; j < r.targetPos().length; j++) {
                tPos[i * m + j] = r.targetPos()[j];
                tIds[i * m + j] = r.targetIds()[j];
            }
        }
        try (NDManager mgr = model.newManager()) {
            NDList in = new NDList(
                    mgr.create(ids, new Shape(b, t)),
                    mgr.create(mask, new Shape(b, t, t)),
                    mgr.create(pos, new Shape(b, t)),
                    mgr.create(pix, new Shape(b, n, 3, height, width)),
                    mgr.create(tPos, new Shape(b, m)),
                    mgr.create(tIds, new Shape(b, m)));
            long t1 = System.nanoTime();
            NDList out = model.forward(mgr, in);
            float[] raw = toFloats(out.get(0));
            float[] lse = toFloats(out.get(1));
            long t2 = System.nanoTime();
            float[][] rawRows = new float[b][];
            float[][] lseRows = new float[b][];
            for (int i = 0; i < b; i++) {
                int k = rows.get(i).targetPos().length;
                rawRows[i] = Arrays.copyOfRange(raw, i * m, i * m + k);
                lseRows[i] = Arrays.copyOfRange(lse, i * m, i * m + k);
            }
            return new Output(rows, rawRows, lseRows, t1 - t0, t2 - t1, tokens);
        }
    }

    private static float[] toFloats(NDArray a) {
        return a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32 ? a.toFloatArray()
                : a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    /** allowed[q][k]: causal, same or prompt segment, real tokens; padding rows attend to themselves only. */
    private static void fillMask(boolean[] mask, int base, int t, Row r) {
        int len = r.length();
        if (r.plainCausal()) {
            for (int q = 0; q < len; q++) {
                Arrays.fill(mask, base + q * t, base + q * t + q + 1, true);
            }
        } else {
            int[] seg = r.segments();
            for (int q = 0; q < len; q++) {
                int sq = seg[q];
                int row = base + q * t;
                for (int k = 0; k <= q; k++) {
                    int sk = seg[k];
                    mask[row + k] = sk == 0 || sk == sq;
                }
            }
        }
        for (int q = len; q < t; q++) {
            mask[base + q * t + q] = true;
        }
    }
}
