package dev.radar.scoring.prompt;

import dev.radar.bench.BenchSample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How each model family's reference script (Nieysh/RADAR @1cff150) turns a benchmark record into token ids, per
 * family AND per source. Transcribed from reading the scripts; {@code PromptRulesGoldenTest} compares every rule
 * with {@code models/golden/prompts/make_prompt_golden.py}, which follows the scripts step by step with the
 * family's tokenizer format. Summary (candidates are {@code [answer] + distraction}, index 0 correct):
 *
 * <table>
 * <caption>prompt per family and source</caption>
 * <tr><th>family</th><th>MMBench, MathVista, Wiki, spatial, SeePhys</th><th>MMMU-Pro</th></tr>
 * <tr><td>qwen2-vl</td><td>base chat template: {@code <|vision_start|><|image_pad|><|vision_end|>} per image, then
 *     the question; candidate appended after {@code " "}</td>
 *     <td>no template: the question with each {@code <image k>} tag replaced inline by the vision triple</td></tr>
 * <tr><td>internvl3.5</td><td>each image prepended as {@code <img>}+visual tokens+{@code </img>}+sep (sep
 *     {@code "\n"} for MMBench/MathVista, {@code " "} otherwise), one after the other, so several images appear in
 *     REVERSED text order; conversation template {@code internvl2_5}; candidate appended directly</td>
 *     <td>tags inline as {@code <img>..</img>}, same template</td></tr>
 * <tr><td>llava-onevision</td><td>"plain" template ({@code prompt + "\n"}); MMBench/MathVista
 *     {@code <image>\n{q}}, SeePhys {@code <image>}x img_num + {@code " " + q}, others {@code <image> {q}};
 *     tokenised chunk-wise around {@code <image>}; candidate appended directly</td>
 *     <td>tags inline; text options with more than one distraction keep one, chosen by
 *     {@code random.sample}</td></tr>
 * </table>
 * MMMU-Pro image options (an {@code <image k>} tag in {@code ori_options}): options listed as
 * {@code " A. .. B. .. Please select the correct option: "} in the order the sample's {@code random.random() > 0.5}
 * draw gives (see {@link dev.radar.bench.ReferenceDraws}); the candidates are the letters {@code ["A","B"]} or {@code ["B","A"]}
 * (always two, as the scripts hard-code them); option images follow the question's in pixel order. Samples with
 * more than 12 images are skipped by the reference (and by the benchmark reader).
 *
 * <p>Any change to a rule must bump {@link #RULES_VERSION}: the runtime records it with every score.
 */
public final class PromptRules {

    /** Version of these rules; bumped whenever any rule changes. Recorded with every score. */
    public static final String RULES_VERSION = "reference-1cff150/1";

    /** Marks a visual-token position in {@link TokenizedPrompt#promptIds()}. */
    public static final int IMAGE_SLOT = -1;

    /** The reference skips samples with more images than this. */
    public static final int MAX_IMAGES = 12;

    /**
     * InternVL3.5's system message: conversation template {@code internvl2_5} (what InternVL3.5 checkpoints' config
     * names as {@code template}) keeps its default system message unless the checkpoint's config sets
     * {@code system_message}; we assume InternVL3.5-Pretrained does not (see models/README.md "Prompt rules").
     */
    public static final String INTERNVL2_5_SYSTEM_MESSAGE =
            "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。";

    static final String QWEN_VISION = "<|vision_start|><|image_pad|><|vision_end|>";
    static final String QWEN_IMAGE_PAD = "<|image_pad|>";
    static final String LLAVA_IMAGE = "<image>";
    static final String OPTIONS_TAIL = " Please select the correct option: ";
    private static final Pattern REFERENCE_IMAGE_TAG = Pattern.compile("<image \\d+>");
    /** Stands for InternVL's image tokens while the text is built; private-use characters never in benchmark text. */
    private static final Pattern INTERNVL_SLOT = Pattern.compile("\uE000(\\d+)\uE001");

    /** The model families RADAR scores. */
    public enum Family {
        QWEN2_VL("qwen2-vl"), INTERNVL3_5("internvl3.5"), LLAVA_ONEVISION("llava-onevision");

        private final String id;

        Family(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final Family family;
    private final String internVlSystemMessage;

    private PromptRules(Family family, String internVlSystemMessage) {
        this.family = family;
        this.internVlSystemMessage = internVlSystemMessage;
    }

    /**
     * Rules of a family as {@code radar-model.json} names it: {@code qwen2-vl}, {@code internvl3.5} or
     * {@code llava-onevision} (either layout, {@code hf} or {@code projector}: the reference tokenises the same
     * text chunk-wise around {@code <image>}, so the ids are the same; {@code llava-onevision-projector} and
     * {@code llava-onevision-hf} are accepted as aliases).
     */
    public static PromptRules forFamily(String family) {
        String f = Objects.requireNonNull(family, "family").trim().toLowerCase(Locale.ROOT);
        return switch (f) {
            case "qwen2-vl" -> new PromptRules(Family.QWEN2_VL, null);
            case "internvl3.5" -> new PromptRules(Family.INTERNVL3_5, INTERNVL2_5_SYSTEM_MESSAGE);
            case "llava-onevision", "llava-onevision-hf", "llava-onevision-projector" ->
                    new PromptRules(Family.LLAVA_ONEVISION, null);
            default -> throw new IllegalArgumentException("no prompt rules for model family '" + family
                    + "' (known: qwen2-vl, internvl3.5, llava-onevision)");
        };
    }

    /**
     * InternVL3.5 rules for a checkpoint whose config sets {@code system_message} (the template then renders it
     * as Python's {@code str.format} would: a JSON null becomes the text {@code None}).
     */
    public static PromptRules internVl(String systemMessage) {
        return new PromptRules(Family.INTERNVL3_5, systemMessage == null ? "None" : systemMessage);
    }

    public Family family() {
        return family;
    }

    /** {@link #RULES_VERSION}, plus the system message when it is not InternVL's default. */
    public String version() {
        if (family == Family.INTERNVL3_5 && !INTERNVL2_5_SYSTEM_MESSAGE.equals(internVlSystemMessage)) {
            return RULES_VERSION + "+system:" + Integer.toHexString(internVlSystemMessage.hashCode());
        }
        return RULES_VERSION;
    }

    /**
     * The prompt, images and candidates of one sample as this family's reference script builds them.
     *
     * @throws IllegalArgumentException naming the sample when the reference could not score it (more than
     *                                  {@value #MAX_IMAGES} images, image slots and images that do not match, an
     *                                  MMMU-Pro image-option sample without reader draws)
     */
    public PromptPlan plan(BenchSample s) {
        Record r = Record.of(s);
        SourceLayout layout = SourceLayout.of(s.source());
        String key = s.key();
        if (s.images().size() > MAX_IMAGES) {
            throw new IllegalArgumentException("sample " + key + " has " + s.images().size()
                    + " images; the reference skips samples with more than " + MAX_IMAGES);
        }
        List<Path> images = new ArrayList<>(s.images());
        List<String> candidates = new ArrayList<>();
        String question;
        if (layout == SourceLayout.MMMU_PRO) {
            String marker = family == Family.QWEN2_VL ? QWEN_VISION : LLAVA_IMAGE;
            List<Path> questionImages = s.images().subList(0, r.questionImages);
            question = replaceTags(r.question, marker);
            if (hasTag(r.oriOptions)) {
                if (r.order < 0) {
                    throw new IllegalArgumentException("sample " + key + " has image options but no reference draw:"
                            + " read it with the benchmark reader, which replays the reference's random stream");
                }
                boolean answerFirst = family == Family.LLAVA_ONEVISION ? r.llavaAnswerFirst : r.answerFirst;
                List<String> raw = new ArrayList<>();
                raw.add(r.answer);
                raw.addAll(r.distraction);
                List<List<Path>> optionImages = splitOptionImages(key, s.images(), r.questionImages, raw);
                List<Integer> order = new ArrayList<>();
                if (answerFirst) {
                    for (int i = 0; i < raw.size(); i++) {
                        order.add(i);
                    }
                } else {
                    for (int i = 1; i < raw.size(); i++) {
                        order.add(i);
                    }
                    order.add(0);
                }
                images = new ArrayList<>(questionImages);
                List<String> listed = new ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    images.addAll(optionImages.get(order.get(i)));
                    listed.add((char) ('A' + i) + ". " + replaceTags(raw.get(order.get(i)), marker));
                }
                question = question + " " + String.join(" ", listed) + OPTIONS_TAIL;
                candidates.addAll(answerFirst ? List.of("A", "B") : List.of("B", "A"));
            } else {
                images = new ArrayList<>(questionImages);
                candidates.add(r.answer);
                if (family == Family.LLAVA_ONEVISION && r.distraction.size() > 1) {
                    if (r.llavaDistractor < 0 || r.llavaDistractor >= r.distraction.size()) {
                        throw new IllegalArgumentException("sample " + key + " has " + r.distraction.size()
                                + " distractions but no reference draw of the one LLaVA keeps: read it with the"
                                + " benchmark reader");
                    }
                    candidates.add(r.distraction.get(r.llavaDistractor));
                } else {
                    candidates.addAll(r.distraction);
                }
            }
        } else {
            question = r.question;
            candidates.add(r.answer);
            candidates.addAll(r.distraction);
        }
        List<PromptPlan.Piece> pieces = switch (family) {
            case QWEN2_VL -> qwenPieces(key, layout, question, images.size());
            case INTERNVL3_5 -> internVlPieces(key, layout, question, images.size());
            case LLAVA_ONEVISION -> llavaPieces(key, layout, question, images.size(), r.imgNum);
        };
        String prefix = family == Family.QWEN2_VL ? " " : "";
        String marker = switch (family) {
            case QWEN2_VL -> QWEN_IMAGE_PAD;
            case INTERNVL3_5 -> "<IMG_CONTEXT>";
            case LLAVA_ONEVISION -> LLAVA_IMAGE;
        };
        return new PromptPlan(key, family.id(), layout, images, candidates, pieces, prefix, marker);
    }

    /** Qwen2-VL: the base chat template's concatenation, or the bare MMMU-Pro question; images in text order. */
    private static List<PromptPlan.Piece> qwenPieces(String key, SourceLayout layout, String question, int images) {
        String text = layout == SourceLayout.MMMU_PRO ? question : QWEN_VISION.repeat(images) + question;
        // The processor expands every <|image_pad|> of the text with the next image's tokens.
        return splitSequential(key, text, QWEN_IMAGE_PAD, images);
    }

    /** InternVL3.5: images replace {@code <image>} or are prepended one by one, then the conversation template. */
    private List<PromptPlan.Piece> internVlPieces(String key, SourceLayout layout, String question, int images) {
        String sep = layout == SourceLayout.MMBENCH || layout == SourceLayout.MMMU_PRO
                || layout == SourceLayout.MATHVISTA ? "\n" : " ";
        String q = question;
        for (int idx = 0; idx < images; idx++) {
            if (!q.contains(LLAVA_IMAGE)) {
                q = LLAVA_IMAGE + sep + q;
            }
            q = replaceFirstLiteral(q, LLAVA_IMAGE, "<img>\uE000" + idx + "\uE001</img>");
        }
        String query = "<|im_start|>system\n" + internVlSystemMessage + "<|im_end|>\n"
                + "<|im_start|>user\n" + q + "<|im_end|>\n" + "<|im_start|>assistant\n";
        List<PromptPlan.Piece> pieces = new ArrayList<>();
        Matcher m = INTERNVL_SLOT.matcher(query);
        int at = 0;
        while (m.find()) {
            addText(pieces, query.substring(at, m.start()));
            pieces.add(new PromptPlan.Image(Integer.parseInt(m.group(1))));
            at = m.end();
        }
        addText(pieces, query.substring(at));
        return pieces;
    }

    /** LLaVA-OneVision "plain" template: {@code question + "\n"}, split at every {@code <image>}. */
    private static List<PromptPlan.Piece> llavaPieces(String key, SourceLayout layout, String question, int images,
                                                      int imgNum) {
        String q = switch (layout) {
            case MMMU_PRO -> question;
            case MMBENCH, MATHVISTA -> LLAVA_IMAGE + "\n" + question;
            case SEEPHYS -> LLAVA_IMAGE.repeat(imgNum) + " " + question;
            case OTHER -> LLAVA_IMAGE + " " + question;
        };
        return splitSequential(key, q + "\n", LLAVA_IMAGE, images);
    }

    /** Splits at each marker, the k-th marker becoming image k (pixel order = text order). */
    private static List<PromptPlan.Piece> splitSequential(String key, String text, String marker, int images) {
        List<PromptPlan.Piece> pieces = new ArrayList<>();
        int at = 0;
        int k = 0;
        for (int hit = text.indexOf(marker); hit >= 0; hit = text.indexOf(marker, at)) {
            addText(pieces, text.substring(at, hit));
            pieces.add(new PromptPlan.Image(k++));
            at = hit + marker.length();
        }
        addText(pieces, text.substring(at));
        if (k != images) {
            throw new IllegalArgumentException("sample " + key + ": the reference prompt has " + k + " image slot"
                    + (k == 1 ? "" : "s") + " (" + marker + ") for " + images + " image" + (images == 1 ? "" : "s"));
        }
        return pieces;
    }

    private static void addText(List<PromptPlan.Piece> pieces, String text) {
        if (!text.isEmpty()) {
            pieces.add(new PromptPlan.Text(text));
        }
    }

    /**
     * Token ids of the plan: each text piece encoded as it stands (every image slot sits next to an added token or
     * a chunk boundary in the reference, so piecewise encoding equals the reference's whole-string encoding),
     * image slots expanded to {@code visualTokensPerImage[pixelIndex]} positions of {@link #IMAGE_SLOT}, and each
     * candidate's tokens taken past the prompt's own count in the joint encoding of prompt and candidate.
     *
     * @param visualTokensPerImage visual tokens of each image in PIXEL order (Qwen2-VL: grid t*h*w/4; InternVL:
     *                             256 per tile; LLaVA-OV: 729)
     */
    public TokenizedPrompt tokenize(PromptPlan p, TextEncoder enc, int[] visualTokensPerImage) {
        if (visualTokensPerImage.length != p.images().size()) {
            throw new IllegalArgumentException("sample " + p.sampleKey() + ": " + visualTokensPerImage.length
                    + " visual-token counts for " + p.images().size() + " images");
        }
        List<PromptPlan.Piece> pieces = p.pieces();
        int last = pieces.size() - 1;
        String tail = pieces.get(last) instanceof PromptPlan.Text t ? t.text() : "";
        int headEnd = pieces.get(last) instanceof PromptPlan.Text ? last : last + 1;
        IntList head = new IntList();
        List<Integer> runs = new ArrayList<>();
        List<Integer> runImages = new ArrayList<>();
        for (int i = 0; i < headEnd; i++) {
            if (pieces.get(i) instanceof PromptPlan.Text t) {
                head.addAll(enc.encode(t.text()));
            } else if (pieces.get(i) instanceof PromptPlan.Image im) {
                int n = visualTokensPerImage[im.pixelIndex()];
                if (n <= 0) {
                    throw new IllegalArgumentException("sample " + p.sampleKey() + ": image " + im.pixelIndex()
                            + " has " + n + " visual tokens");
                }
                for (int k = 0; k < n; k++) {
                    head.add(IMAGE_SLOT);
                }
                runs.add(n);
                runImages.add(im.pixelIndex());
            }
        }
        int[] tailIds = tail.isEmpty() ? new int[0] : enc.encode(tail);
        int[] prompt = concat(head.toArray(), tailIds);
        List<int[]> cands = new ArrayList<>();
        List<int[]> prefixes = new ArrayList<>();
        boolean packable = true;
        for (int k = 0; k < p.candidates().size(); k++) {
            int[] joint = enc.encode(tail + p.candidatePrefix() + p.candidates().get(k));
            if (joint.length <= tailIds.length) {
                throw new IllegalArgumentException("sample " + p.sampleKey() + ": candidate " + k + " ('"
                        + p.candidates().get(k) + "') has no tokens past the prompt");
            }
            int[] jointTail = Arrays.copyOf(joint, tailIds.length);
            boolean same = Arrays.equals(jointTail, tailIds);
            packable &= same;
            prefixes.add(same ? prompt : concat(head.toArray(), jointTail));
            cands.add(Arrays.copyOfRange(joint, tailIds.length, joint.length));
        }
        return new TokenizedPrompt(prompt, cands, prefixes, packable,
                runs.stream().mapToInt(Integer::intValue).toArray(),
                runImages.stream().mapToInt(Integer::intValue).toArray());
    }

    // ---- MMMU-Pro helpers ----

    /** {@code replace_image_with_image_token}: every occurrence of every tag {@code re.findall} finds. */
    static String replaceTags(String text, String replacement) {
        String out = text;
        for (String tag : tags(text)) {
            out = out.replace(tag, replacement);
        }
        return out;
    }

    static List<String> tags(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            Matcher m = REFERENCE_IMAGE_TAG.matcher(text);
            while (m.find()) {
                out.add(m.group());
            }
        }
        return out;
    }

    static boolean hasTag(String text) {
        return text != null && REFERENCE_IMAGE_TAG.matcher(text).find();
    }

    /** The images after the question's, one slice per raw option (answer first), by the options' tag counts. */
    private static List<List<Path>> splitOptionImages(String key, List<Path> images, int questionImages,
                                                      List<String> rawOptions) {
        List<List<Path>> out = new ArrayList<>();
        int at = questionImages;
        for (String o : rawOptions) {
            int n = tags(o).size();
            if (at + n > images.size()) {
                throw new IllegalArgumentException("sample " + key + ": option '" + o + "' names " + n
                        + " image(s) beyond the sample's " + images.size());
            }
            out.add(images.subList(at, at + n));
            at += n;
        }
        if (at != images.size()) {
            throw new IllegalArgumentException("sample " + key + " has " + images.size() + " images but its question"
                    + " and options name " + at);
        }
        return out;
    }

    private static String replaceFirstLiteral(String s, String target, String replacement) {
        int i = s.indexOf(target);
        return i < 0 ? s : s.substring(0, i) + replacement + s.substring(i + target.length());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The record's fields as the reference reads them, from the reader's reference fields when present. */
    private record Record(String question, String answer, List<String> distraction, String oriOptions, int imgNum,
                          int questionImages, int order, boolean answerFirst, boolean llavaAnswerFirst,
                          int llavaDistractor) {
        static Record of(BenchSample s) {
            BenchSample.Reference ref = s.reference();
            if (ref != null) {
                return new Record(ref.question(), ref.answer(), ref.distraction(), ref.oriOptions(), ref.imgNum(),
                        ref.questionImages(), ref.order(), ref.answerFirst(), ref.llavaAnswerFirst(),
                        ref.llavaDistractor());
            }
            if (s.candidates().isEmpty()) {
                throw new IllegalArgumentException("sample " + s.key() + " has no candidates");
            }
            return new Record(s.question(), s.candidates().get(0), s.candidates().subList(1, s.candidates().size()),
                    null, s.images().size(), tags(s.question()).size(), -1, false, false, -1);
        }
    }

    /** Growable int array (avoids boxing the long visual runs). */
    private static final class IntList {
        private int[] a = new int[256];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        void addAll(int[] vs) {
            for (int v : vs) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
