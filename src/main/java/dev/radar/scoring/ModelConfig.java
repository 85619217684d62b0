package dev.radar.scoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * radar-model.json: how to feed a scoring package. Two contracts (models/README.md): contract 1 (no
 * {@code contract} key, or 1) is one model.pt fed placeholder-expanded ids and fixed-size tiles, described by
 * {@code image}, {@code imagePlaceholder}, {@code tokensPerImage} and {@code prompt}; contract 2 (real
 * architectures) is vision.pt + language.pt, with the family's own prompt rules and image processing in the
 * project, described by {@code hiddenSize}, {@code positionDims}, {@code imageTokenId}, {@code padTokenId},
 * {@code vision} and {@code promptRules}. Unknown keys (documentation such as {@code forward},
 * {@code export}) are ignored.
 *
 * @param name               display name
 * @param family             model family (tiny, qwen2-vl, llava-onevision, internvl3.5)
 * @param dtype              dtype the weights were exported in (float32, bfloat16, float16)
 * @param maxSequenceLength  largest position id the model accepts + 1
 * @param supportsPackedMask whether the model honours an arbitrary [B,T,T] mask (needed by the packed strategy)
 * @param image              image preprocessing
 * @param imagePlaceholder   the token that stands for one image tile in the prompt text
 * @param tokensPerImage     how many times the runtime repeats the placeholder id per tile
 * @param prompt             prompt templates
 * @param contract           package contract: null or 1 = model.pt, 2 = vision.pt + language.pt
 * @param hiddenSize         contract 2: width D of the image features vision.pt returns
 * @param positionDims       contract 2: rows R of position_ids (3 = Qwen2-VL M-RoPE, else 1)
 * @param imageTokenId       contract 2: id placed in input_ids at visual-token positions (features replace it)
 * @param padTokenId         contract 2: id of padding positions
 * @param vision             contract 2: the family's preprocessing parameters
 * @param promptRules        contract 2: family name of the Java prompt rules
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(String name, String family, String dtype, int maxSequenceLength, boolean supportsPackedMask,
                          Image image, String imagePlaceholder, Integer tokensPerImage, Prompt prompt,
                          Integer contract, Integer hiddenSize, Integer positionDims, Integer imageTokenId,
                          Integer padTokenId, Vision vision, String promptRules) {

    public static final String FILE = "radar-model.json";

    /** Families contract 2 knows (radar-model.json "family"). */
    public static final List<String> CONTRACT2_FAMILIES = List.of("qwen2-vl", "internvl3.5", "llava-onevision");

    /** Whether this package is contract 2 (vision.pt + language.pt). */
    public boolean realArchitecture() {
        return contract != null && contract == 2;
    }

    /**
     * Contract 2 preprocessing parameters; which keys are required depends on the family (contract2 in
     * models/README.md). Boxed so that a missing key is null and named by validation.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Vision(Integer patchSize, Integer temporalPatchSize, Integer mergeSize, Integer minPixels,
                         Integer maxPixels, Integer imageSize, Integer maxTiles, Boolean thumbnail,
                         Integer tokensPerTile, Integer tokensPerImage, String layout, List<Double> mean,
                         List<Double> std) {
    }

    /**
     * @param size   [height, width] of one tile
     * @param mean   per-channel mean (RGB, on 0..1 values)
     * @param std    per-channel std
     * @param resize resampling: bilinear (default) or bicubic
     * @param tiling optional grid tiling (InternVL-style); null = one tile per image
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Image(List<Integer> size, List<Double> mean, List<Double> std, String resize, Tiling tiling) {
        public int height() {
            return size.get(0);
        }

        public int width() {
            return size.get(1);
        }

        public int tilesPerImage() {
            return tiling == null ? 1 : tiling.rows() * tiling.cols() + (tiling.thumbnail() && tiling.rows() * tiling.cols() > 1 ? 1 : 0);
        }
    }

    /** Image resized to (rows*H, cols*W) and cut into rows x cols tiles, plus a whole-image thumbnail if asked. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tiling(List<Integer> grid, boolean thumbnail) {
        public int rows() {
            return grid == null || grid.isEmpty() ? 1 : grid.get(0);
        }

        public int cols() {
            return grid == null || grid.size() < 2 ? 1 : grid.get(1);
        }
    }

    /**
     * @param template the prompt around the images and the question: {@code {images}} and {@code {question}}
     * @param image    what each image becomes inside {@code {images}} (contains the placeholder once)
     * @param answer   what each candidate becomes when appended to the prompt: {@code {answer}}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Prompt(String template, String image, String answer) {
        public String render(String question, int images) {
            return template.replace("{images}", image.repeat(images)).replace("{question}", question);
        }

        public String renderAnswer(String candidate) {
            return answer.replace("{answer}", candidate);
        }
    }

    /** Parses and validates {@code file}; every problem is a {@link ModelLoadException} naming the file. */
    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("missing " + FILE + ": " + file);
        }
        ModelConfig c;
        try {
            c = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                    .readValue(file.toFile(), ModelConfig.class);
        } catch (IOException e) {
            throw new ModelLoadException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        String problem = c.problem();
        if (problem != null) {
            throw new ModelLoadException("invalid " + file + ": " + problem);
        }
        return c;
    }

    private String problem() {
        if (maxSequenceLength < 2) {
            return "maxSequenceLength must be >= 2";
        }
        if (dtype == null || !List.of("float32", "bfloat16", "float16").contains(dtype)) {
            return "dtype must be float32, bfloat16 or float16";
        }
        if (contract != null && contract != 1 && contract != 2) {
            return "contract must be 1 or 2, was " + contract;
        }
        return realArchitecture() ? contract2Problem() : contract1Problem();
    }

    private String contract2Problem() {
        if (family == null || !CONTRACT2_FAMILIES.contains(family)) {
            return "contract 2 family must be one of " + CONTRACT2_FAMILIES + ", was " + family;
        }
        if (hiddenSize == null || hiddenSize < 1) {
            return "contract 2 needs hiddenSize >= 1";
        }
        int wantDims = family.equals("qwen2-vl") ? 3 : 1;
        if (positionDims == null || positionDims != wantDims) {
            return "positionDims must be " + wantDims + " for family " + family + ", was " + positionDims;
        }
        if (imageTokenId == null || imageTokenId < 0 || padTokenId == null || padTokenId < 0) {
            return "contract 2 needs imageTokenId and padTokenId (>= 0)";
        }
        if (promptRules == null || promptRules.isBlank()) {
            return "contract 2 needs promptRules (the family whose prompt rules build the prompt)";
        }
        if (vision == null) {
            return "contract 2 needs a vision object";
        }
        Vision v = vision;
        if (v.mean() == null || v.mean().size() != 3 || v.std() == null || v.std().size() != 3
                || v.std().stream().anyMatch(x -> x == null || x == 0)) {
            return "vision.mean and vision.std must have 3 values, std non-zero";
        }
        return switch (family) {
            case "qwen2-vl" -> first(positive(v.patchSize(), "vision.patchSize"),
                    positive(v.temporalPatchSize(), "vision.temporalPatchSize"),
                    positive(v.mergeSize(), "vision.mergeSize"), positive(v.minPixels(), "vision.minPixels"),
                    positive(v.maxPixels(), "vision.maxPixels"),
                    v.minPixels() != null && v.maxPixels() != null && v.minPixels() > v.maxPixels()
                            ? "vision.minPixels must be <= vision.maxPixels" : null);
            case "internvl3.5" -> first(positive(v.imageSize(), "vision.imageSize"),
                    positive(v.maxTiles(), "vision.maxTiles"), positive(v.tokensPerTile(), "vision.tokensPerTile"),
                    v.thumbnail() == null ? "vision.thumbnail (true/false) is required" : null);
            default -> first(positive(v.imageSize(), "vision.imageSize"),
                    positive(v.tokensPerImage(), "vision.tokensPerImage"),
                    v.layout() != null && !List.of("hf", "projector").contains(v.layout())
                            ? "vision.layout must be hf or projector, was " + v.layout() : null);
        };
    }

    private static String first(String... problems) {
        for (String p : problems) {
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static String positive(Integer v, String key) {
        return v == null || v < 1 ? key + " (>= 1) is required, was " + v : null;
    }

    private String contract1Problem() {
        if (image == null || image.size() == null || image.size().size() != 2 || image.height() < 1 || image.width() < 1) {
            return "image.size must be [height, width]";
        }
        if (image.mean() == null || image.mean().size() != 3 || image.std() == null || image.std().size() != 3
                || image.std().stream().anyMatch(s -> s == 0)) {
            return "image.mean and image.std must have 3 values, std non-zero";
        }
        if (imagePlaceholder == null || imagePlaceholder.isEmpty() || tokensPerImage == null || tokensPerImage < 1) {
            return "imagePlaceholder and tokensPerImage (>= 1) are required";
        }
        if (prompt == null || prompt.template() == null || prompt.image() == null || prompt.answer() == null
                || !prompt.template().contains("{question}") || !prompt.answer().contains("{answer}")) {
            return "prompt.template (with {question}), prompt.image and prompt.answer (with {answer}) are required";
        }
        if (!prompt.image().contains(imagePlaceholder)) {
            return "prompt.image must contain the image placeholder " + imagePlaceholder;
        }
        return null;
    }
}
