package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenises a sample the way the reference code does (prompt+candidate jointly; the candidate's tokens are those
 * past the prompt's own token length), expands image placeholders and decodes its images. Thread-safe.
 */
final class SamplePreparer {

    private final ScoringModel model;
    private final ModelConfig cfg;
    private final ImagePreprocessor images;
    private final int placeholderRepeat;

    SamplePreparer(ScoringModel model) {
        this.model = model;
        this.cfg = model.config();
        this.images = new ImagePreprocessor(cfg.image());
        this.placeholderRepeat = cfg.tokensPerImage() * cfg.image().tilesPerImage();
    }

    PreparedSample prepare(int index, BenchSample s) {
        long t0 = System.nanoTime();
        try {
            String problem = check(s);
            if (problem != null) {
                return PreparedSample.failed(index, s, "sample " + s.key() + ": " + problem, System.nanoTime() - t0);
            }
            String prompt = cfg.prompt().render(s.question(), s.images().size());
            int[] promptRaw = model.encode(prompt);
            int[] promptIds = expand(promptRaw);
            int expected = s.images().size() * placeholderRepeat;
            int found = count(promptIds, model.imageTokenId());
            if (found != expected) {
                return PreparedSample.failed(index, s, "sample " + s.key() + ": prompt has " + found
                        + " image tokens for " + s.images().size() + " image(s), expected " + expected
                        + " (does the question contain " + cfg.imagePlaceholder() + "?)", System.nanoTime() - t0);
            }
            List<int[]> cands = new ArrayList<>();
            List<int[]> prefixes = new ArrayList<>();
            boolean packable = true;
            for (int k = 0; k < s.candidates().size(); k++) {
                int[] joint = model.encode(prompt + cfg.prompt().renderAnswer(s.candidates().get(k)));
                if (joint.length <= promptRaw.length) {
                    return PreparedSample.failed(index, s, "sample " + s.key() + ": candidate " + k + " ('"
                            + s.candidates().get(k) + "') has no tokens past the prompt", System.nanoTime() - t0);
                }
                int[] cand = Arrays.copyOfRange(joint, promptRaw.length, joint.length);
                if (count(cand, model.imageTokenId()) > 0) {
                    return PreparedSample.failed(index, s, "sample " + s.key() + ": candidate " + k
                            + " contains the image placeholder " + cfg.imagePlaceholder(), System.nanoTime() - t0);
                }
                int[] prefixRaw = Arrays.copyOf(joint, promptRaw.length);
                boolean same = Arrays.equals(prefixRaw, promptRaw);
                packable &= same;
                cands.add(cand);
                prefixes.add(same ? promptIds : expand(prefixRaw));
            }
            List<float[]> tiles = new ArrayList<>();
            for (Path p : s.images()) {
                try {
                    tiles.addAll(images.tiles(p));
                } catch (IOException | RuntimeException e) {
                    return PreparedSample.failed(index, s, "sample " + s.key() + ": cannot read image " + p + ": "
                            + e.getMessage(), System.nanoTime() - t0);
                }
            }
            return new PreparedSample(index, s, promptIds, cands, prefixes, packable, tiles, null,
                    System.nanoTime() - t0);
        } catch (RuntimeException e) {
            return PreparedSample.failed(index, s, "sample " + s.key() + ": cannot tokenise: " + e, System.nanoTime() - t0);
        }
    }

    private static String check(BenchSample s) {
        if (s.candidates().size() < 2) {
            return "needs at least 2 candidates, has " + s.candidates().size();
        }
        for (int k = 0; k < s.candidates().size(); k++) {
            String c = s.candidates().get(k);
            if (c == null || c.isBlank()) {
                return "candidate " + k + " is empty";
            }
        }
        return null;
    }

    private int[] expand(int[] ids) {
        int img = model.imageTokenId();
        int n = count(ids, img);
        if (n == 0) {
            return ids;
        }
        int[] out = new int[ids.length + n * (placeholderRepeat - 1)];
        int o = 0;
        for (int id : ids) {
            if (id == img) {
                Arrays.fill(out, o, o + placeholderRepeat, img);
                o += placeholderRepeat;
            } else {
                out[o++] = id;
            }
        }
        return out;
    }

    private static int count(int[] ids, int id) {
        int n = 0;
        for (int v : ids) {
            if (v == id) {
                n++;
            }
        }
        return n;
    }
}
