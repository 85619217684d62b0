package dev.radar.scoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * radar-model.json: how to feed a scoring package's model.pt. Unknown keys (documentation such as
 * {@code forward} and {@code promptExamples}) are ignored.
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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelConfig(String name, String family, String dtype, int maxSequenceLength, boolean supportsPackedMask,
                          Image image, String imagePlaceholder, int tokensPerImage, Prompt prompt) {

    public static final String FILE = "radar-model.json";

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
        if (image == null || image.size() == null || image.size().size() != 2 || image.height() < 1 || image.width() < 1) {
            return "image.size must be [height, width]";
        }
        if (image.mean() == null || image.mean().size() != 3 || image.std() == null || image.std().size() != 3
                || image.std().stream().anyMatch(s -> s == 0)) {
            return "image.mean and image.std must have 3 values, std non-zero";
        }
        if (imagePlaceholder == null || imagePlaceholder.isEmpty() || tokensPerImage < 1) {
            return "imagePlaceholder and tokensPerImage (>= 1) are required";
        }
        if (prompt == null || prompt.template() == null || prompt.image() == null || prompt.answer() == null
                || !prompt.template().contains("{question}") || !prompt.answer().contains("{answer}")) {
            return "prompt.template (with {question}), prompt.image and prompt.answer (with {answer}) are required";
        }
        if (!prompt.image().contains(imagePlaceholder)) {
            return "prompt.image must contain the image placeholder " + imagePlaceholder;
        }
        if (maxSequenceLength < 2) {
            return "maxSequenceLength must be >= 2";
        }
        if (dtype == null || !List.of("float32", "bfloat16", "float16").contains(dtype)) {
            return "dtype must be float32, bfloat16 or float16";
        }
        return null;
    }
}
