package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.image.ImageLoadException;
import dev.radar.scoring.image.VisionInput;
import dev.radar.scoring.prompt.TokenizedPrompt;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenises a sample the way the reference code does (prompt+candidate jointly; the candidate's tokens are those
 * past the prompt's own token length) and decodes its images. Contract 1: the package's template, placeholders
 * expanded, fixed tiles. Contract 2: the family's rules plan the prompt, its image processor processes each
 * image, and the prompt is tokenised with each image's real visual-token count. Thread-safe; a bad image or an
 * unbuildable prompt is a failed sample naming it, never an exception.
 */
final class SamplePreparer {

    private final ScoringModel model;
    private final ModelConfig cfg;
    private final FamilyRules rules;
    private final ImagePreprocessor images;
    private final int placeholderRepeat;

    SamplePreparer(ScoringModel model) {
        this(model, model.config(), model.rules());
    }

    /** Contract 2 needs only the config and the family's rules (model may then be null). */
    SamplePreparer(ScoringModel model, ModelConfig cfg, FamilyRules rules) {
        this.model = model;
        this.cfg = cfg;
        this.rules = rules;
        this.images = cfg.realArchitecture() ? null : new ImagePreprocessor(cfg.image());
        this.placeholderRepeat = cfg.realArchitecture() ? 0 : cfg.tokensPerImage() * cfg.image().tilesPerImage();
    }

    PreparedSample prepare(int index, BenchSample s) {
        long t0 = System.nanoTime();
        String problem = check(s);
        if (problem != null) {
            return PreparedSample.failed(index, s, "sample " + s.key() + ": " + problem, System.nanoTime() - t0);
        }
        return cfg.realArchitecture() ? prepareContract2(index, s, t0) : prepareContract1(index, s, t0);
    }

    private PreparedSample prepareContract2(int index, BenchSample s, long t0) {
        FamilyRules.Plan plan;
        try {
            plan = rules.plan(s);
        } catch (RuntimeException e) {
            return PreparedSample.failed(index, s, "sample " + s.key() + ": cannot build the prompt: " + e.getMessage(),
                    System.nanoTime() - t0);
        }
        List<VisionInput> inputs = new ArrayList<>();
        for (Path p : plan.images()) {
            try {
                inputs.add(rules.image(p));
            } catch (ImageLoadException | RuntimeException e) {
                // The image processor's message already names the file; do not repeat it.
                String m = String.valueOf(e.getMessage());
                return PreparedSample.failed(index, s, "sample " + s.key() + ": cannot read image "
                        + (m.contains(p.toString()) ? m : p + ": " + m), System.nanoTime() - t0);
            }
        }
        int[] visual = inputs.stream().mapToInt(VisionInput::visualTokens).toArray();
        TokenizedPrompt tp;
        try {
            tp = rules.tokenize(plan, visual);
        } catch (RuntimeException e) {
            return PreparedSample.failed(index, s, "sample " + s.key() + ": cannot tokenise the prompt: " + e.getMessage(),
                    System.nanoTime() - t0);
        }
        PreparedSample p = new PreparedSample(index, s, tp.promptIds(), tp.candidateIds(), tp.jointPrefixIds(),
                tp.packable(), List.of(), List.copyOf(inputs), tp.imageRunLengths(), null, System.nanoTime() - t0);
        String bad = contract2Problem(p, visual);
        if (bad == null && cfg.positionDims() == 3) {
            try {
                // M-RoPE needs run k to be image k's merged grid; find out here, not in the middle of a batch.
                PositionRule.mrope(cfg.vision().mergeSize()).prefix(p.promptIds(), p);
            } catch (RuntimeException e) {
                bad = "prompt does not match its images' grids: " + e.getMessage();
            }
        }
        return bad == null ? p : PreparedSample.failed(index, s, "sample " + s.key() + ": " + bad, System.nanoTime() - t0);
    }

    /**
     * Checks what the batch layout relies on: every prefix carries one slot per feature row, candidates carry
     * none and are non-empty, and (M-RoPE) run k has image k's merged grid size.
     */
    static String contract2Problem(PreparedSample p, int[] visualTokensPerImage) {
        int total = Arrays.stream(visualTokensPerImage).sum();
        int slots = count(p.promptIds(), PreparedSample.IMAGE_SLOT);
        if (slots != total) {
            // Every family's image features fill the slots one row each, so the counts must agree exactly.
            return "prompt has " + slots + " image slots, its " + visualTokensPerImage.length
                    + " image(s) give " + total + " visual tokens";
        }
        if (Arrays.stream(p.imageRuns()).sum() != slots) {
            return "image runs " + Arrays.toString(p.imageRuns()) + " do not add up to the " + slots
                    + " image slots";
        }
        for (int k = 0; k < p.candidateIds().size(); k++) {
            int[] c = p.candidateIds().get(k);
            if (c.length == 0) {
                return "candidate " + k + " ('" + p.sample().candidates().get(k) + "') has no tokens past the prompt";
            }
            if (count(c, PreparedSample.IMAGE_SLOT) > 0) {
                return "candidate " + k + " contains image slots";
            }
            if (count(p.jointPrefixIds().get(k), PreparedSample.IMAGE_SLOT) != slots) {
                return "candidate " + k + "'s joint prefix has a different number of image slots than the prompt";
            }
        }
        return null;
    }

    private PreparedSample prepareContract1(int index, BenchSample s, long t0) {
        try {
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
