package dev.radar.scoring.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.image.VisionInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups rows into forward batches by length under a padded-token budget, lays each batch out as the package
 * contract's tensors and runs it. The only place that knows the tensor layout on the Java side: contract 1
 * (model.pt with pixel tiles) and contract 2 (vision.pt once per distinct image of the batch, then language.pt
 * with the features concatenated on the device and an image_index per position).
 */
final class BatchRunner {

    /** Tiles per vision.pt call for the tiled families (bounds the vision tower's activation memory). */
    static final int VISION_TILES_PER_CALL = 16;

    /** Raw logits and logsumexps of one batch, per row and target; timings for the stats. */
    record Output(List<Row> rows, float[][] raw, float[][] lse, long inputNanos, long forwardNanos, long tokens) {
    }

    /**
     * A batch's language-side tensors as flat Java arrays.
     *
     * @param ids        [B*T] token ids, image slots replaced by the image token id, padding by the pad id
     * @param positions  [R*B*T] position ids (padding 0)
     * @param mask       [B*T*T] allowed[b][q][k]
     * @param imageIndex [B*T] row of image_features for a visual-token position, -1 elsewhere
     * @param targetPos  [B*M]
     * @param targetIds  [B*M]
     */
    record Layout(int b, int t, int m, int dims, long[] ids, long[] positions, boolean[] mask, long[] imageIndex,
                  long[] targetPos, long[] targetIds, long tokens) {
    }

    private final ScoringModel model;
    private final ModelConfig cfg;

    BatchRunner(ScoringModel model) {
        this.model = model;
        this.cfg = model.config();
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

    /**
     * Where each distinct sample's image features start in the batch's image_features: samples in order of first
     * appearance, each contributing its images' visual tokens in pixel order.
     */
    static Map<Integer, Integer> featureOffsets(List<Row> rows) {
        Map<Integer, Integer> offsets = new LinkedHashMap<>();
        int next = 0;
        for (Row r : rows) {
            PreparedSample p = r.sample();
            if (!offsets.containsKey(p.index())) {
                offsets.put(p.index(), next);
                next += p.visualTokens();
            }
        }
        return offsets;
    }

    /**
     * Lays out {@code rows}: ids padded, positions [R][B][T], the [B,T,T] mask, targets, and (when
     * {@code featureOffsets} is given) image_index: the k-th image slot of a row in text order takes feature row
     * offset(sample) + k, the sequential fill the reference's masked scatter does.
     */
    static Layout layout(List<Row> rows, int dims, int imageTokenId, int padTokenId,
                         Map<Integer, Integer> featureOffsets) {
        int b = rows.size();
        int t = 0;
        int m = 1;
        long tokens = 0;
        for (Row r : rows) {
            t = Math.max(t, r.length());
            m = Math.max(m, r.targetPos().length);
            tokens += r.length();
        }
        long[] ids = new long[b * t];
        long[] pos = new long[dims * b * t];
        boolean[] mask = new boolean[b * t * t];
        long[] imageIndex = featureOffsets == null ? null : new long[b * t];
        long[] tPos = new long[b * m];
        long[] tIds = new long[b * m];
        Arrays.fill(ids, padTokenId);
        if (imageIndex != null) {
            Arrays.fill(imageIndex, -1);
        }
        for (int i = 0; i < b; i++) {
            Row r = rows.get(i);
            if (r.positions().length != dims) {
                throw new IllegalStateException("row of " + r.sample().sample().key() + " has "
                        + r.positions().length + " position dims, the package wants " + dims);
            }
            int len = r.length();
            int slot = 0;
            int base = featureOffsets == null ? 0 : featureOffsets.get(r.sample().index());
            for (int j = 0; j < len; j++) {
                int id = r.ids()[j];
                if (id == PreparedSample.IMAGE_SLOT) {
                    if (imageIndex == null) {
                        throw new IllegalStateException("image slot in a contract-1 row of " + r.sample().sample().key());
                    }
                    ids[i * t + j] = imageTokenId;
                    imageIndex[i * t + j] = base + slot++;
                } else {
                    ids[i * t + j] = id;
                }
                for (int d = 0; d < dims; d++) {
                    pos[(d * b + i) * t + j] = r.positions()[d][j];
                }
            }
            if (imageIndex != null && slot != r.sample().visualTokens()) {
                throw new IllegalStateException("sample " + r.sample().sample().key() + ": row has " + slot
                        + " image slots but its images give " + r.sample().visualTokens() + " feature rows");
            }
            fillMask(mask, i * t * t, t, r);
            for (int j = 0; j < r.targetPos().length; j++) {
                tPos[i * m + j] = r.targetPos()[j];
                tIds[i * m + j] = r.targetIds()[j];
            }
        }
        return new Layout(b, t, m, dims, ids, pos, mask, imageIndex, tPos, tIds, tokens);
    }

    Output run(List<Row> rows) {
        return cfg.realArchitecture() ? runContract2(rows) : runContract1(rows);
    }

    private Output runContract1(List<Row> rows) {
        long t0 = System.nanoTime();
        ModelConfig.Image img = cfg.image();
        int tileFloats = 3 * img.height() * img.width();
        Layout l = layout(rows, 1, model.imageTokenId(), model.padTokenId(), null);
        int n = 1;
        for (Row r : rows) {
            n = Math.max(n, r.sample().tiles().size());
        }
        float[] pix = new float[l.b() * n * tileFloats];
        for (int i = 0; i < l.b(); i++) {
            List<float[]> tiles = rows.get(i).sample().tiles();
            for (int k = 0; k < tiles.size(); k++) {
                System.arraycopy(tiles.get(k), 0, pix, (i * n + k) * tileFloats, tileFloats);
            }
        }
        try (NDManager mgr = model.newManager()) {
            NDList in = new NDList(
                    mgr.create(l.ids(), new Shape(l.b(), l.t())),
                    mgr.create(l.mask(), new Shape(l.b(), l.t(), l.t())),
                    mgr.create(l.positions(), new Shape(l.b(), l.t())),
                    mgr.create(pix, new Shape(l.b(), n, 3, img.height(), img.width())),
                    mgr.create(l.targetPos(), new Shape(l.b(), l.m())),
                    mgr.create(l.targetIds(), new Shape(l.b(), l.m())));
            long t1 = System.nanoTime();
            NDList out = model.forward(mgr, in);
            return output(rows, l, out, t0, t1);
        }
    }

    private Output runContract2(List<Row> rows) {
        long t0 = System.nanoTime();
        Map<Integer, Integer> offsets = featureOffsets(rows);
        Layout l = layout(rows, cfg.positionDims(), cfg.imageTokenId(), cfg.padTokenId(), offsets);
        try (NDManager mgr = model.newManager()) {
            long tv = System.nanoTime();
            NDArray features = imageFeatures(mgr, rows, offsets);
            long visionNanos = System.nanoTime() - tv;
            NDList in = new NDList(
                    mgr.create(l.ids(), new Shape(l.b(), l.t())),
                    features,
                    mgr.create(l.imageIndex(), new Shape(l.b(), l.t())),
                    mgr.create(l.mask(), new Shape(l.b(), l.t(), l.t())),
                    mgr.create(l.positions(), new Shape(l.dims(), l.b(), l.t())),
                    mgr.create(l.targetPos(), new Shape(l.b(), l.m())),
                    mgr.create(l.targetIds(), new Shape(l.b(), l.m())));
            // The vision forward counts as model time, not as input preparation.
            long t1 = System.nanoTime() - visionNanos;
            NDList out = model.forwardLanguage(mgr, in);
            return output(rows, l, out, t0, t1);
        }
    }

    /**
     * image_features [K, D] on the model's device: every distinct sample's images once, in featureOffsets order.
     * Qwen2-VL: vision.pt per image (its attention spans one image). Tiled families: tiles of all images together,
     * {@link #VISION_TILES_PER_CALL} per call. One zero row when the batch has no image (K >= 1).
     */
    private NDArray imageFeatures(NDManager mgr, List<Row> rows, Map<Integer, Integer> offsets) {
        List<VisionInput> images = new ArrayList<>();
        Map<Integer, PreparedSample> seen = new LinkedHashMap<>();
        for (Row r : rows) {
            seen.putIfAbsent(r.sample().index(), r.sample());
        }
        for (Integer idx : offsets.keySet()) {
            images.addAll(seen.get(idx).images());
        }
        int expected = images.stream().mapToInt(VisionInput::visualTokens).sum();
        if (images.isEmpty()) {
            return mgr.zeros(new Shape(1, cfg.hiddenSize()), dataType(cfg.dtype()));
        }
        List<NDArray> parts = new ArrayList<>();
        if ("qwen2-vl".equals(cfg.family())) {
            for (VisionInput im : images) {
                NDList in = new NDList(mgr.create(im.pixels(), new Shape(im.shape())),
                        mgr.create(im.patchPos(), new Shape(im.patchPos().length / 2, 2)));
                parts.add(model.forwardVision(mgr, in).singletonOrThrow());
            }
        } else {
            int i = 0;
            while (i < images.size()) {
                // Whole images per call (a tile's features stay with its image), at least one image per call.
                int tiles = 0;
                int j = i;
                while (j < images.size() && (j == i || tiles + images.get(j).tiles() <= VISION_TILES_PER_CALL)) {
                    tiles += images.get(j).tiles();
                    j++;
                }
                long[] tileShape = Arrays.copyOfRange(images.get(i).shape(), 1, images.get(i).shape().length);
                long tileFloats = Arrays.stream(tileShape).reduce(1, (a, c) -> a * c);
                float[] pix = new float[Math.toIntExact(tiles * tileFloats)];
                int o = 0;
                for (int k = i; k < j; k++) {
                    float[] p = images.get(k).pixels();
                    System.arraycopy(p, 0, pix, o, p.length);
                    o += p.length;
                }
                long[] shape = new long[tileShape.length + 1];
                shape[0] = tiles;
                System.arraycopy(tileShape, 0, shape, 1, tileShape.length);
                parts.add(model.forwardVision(mgr, new NDList(mgr.create(pix, new Shape(shape)))).singletonOrThrow());
                i = j;
            }
        }
        NDArray features = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
        if (features.getShape().dimension() != 2 || features.getShape().get(0) != expected
                || features.getShape().get(1) != cfg.hiddenSize()) {
            throw new IllegalStateException("vision.pt returned image features of shape " + features.getShape()
                    + ", expected (" + expected + ", " + cfg.hiddenSize() + ") for " + images.size() + " image(s)");
        }
        return features;
    }

    static DataType dataType(String dtype) {
        return switch (dtype) {
            case "bfloat16" -> DataType.BFLOAT16;
            case "float16" -> DataType.FLOAT16;
            default -> DataType.FLOAT32;
        };
    }

    private static Output output(List<Row> rows, Layout l, NDList out, long t0, long t1) {
        float[] raw = toFloats(out.get(0));
        float[] lse = toFloats(out.get(1));
        long t2 = System.nanoTime();
        float[][] rawRows = new float[l.b()][];
        float[][] lseRows = new float[l.b()][];
        for (int i = 0; i < l.b(); i++) {
            int k = rows.get(i).targetPos().length;
            rawRows[i] = Arrays.copyOfRange(raw, i * l.m(), i * l.m() + k);
            lseRows[i] = Arrays.copyOfRange(lse, i * l.m(), i * l.m() + k);
        }
        return new Output(rows, rawRows, lseRows, t1 - t0, t2 - t1, l.tokens());
    }

    private static float[] toFloats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
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
