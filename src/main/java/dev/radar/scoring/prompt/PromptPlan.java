package dev.radar.scoring.prompt;

import java.nio.file.Path;
import java.util.List;

/**
 * What one family's reference script feeds for one sample, before tokenisation.
 *
 * @param sampleKey       {@code task/id}, for error messages
 * @param family          the rules' family name
 * @param layout          the source layout the rules applied
 * @param images          images in PIXEL order (the order the reference loads and encodes them)
 * @param candidates      the texts scored, index 0 correct (MMMU-Pro image options: the option letters)
 * @param pieces          the prompt in TEXT order: text, and image slots naming an index into {@code images}
 * @param candidatePrefix what the reference puts between the prompt and a candidate (Qwen2-VL {@code " "})
 * @param imageMarker     how the reference's prompt string spells one image before expansion, for display and
 *                        golden comparison only
 */
public record PromptPlan(String sampleKey, String family, SourceLayout layout, List<Path> images,
                         List<String> candidates, List<Piece> pieces, String candidatePrefix, String imageMarker) {

    public PromptPlan {
        images = List.copyOf(images);
        candidates = List.copyOf(candidates);
        pieces = List.copyOf(pieces);
    }

    /** A part of the prompt: text, or the slot of one image. */
    public sealed interface Piece permits Text, Image {
    }

    /** Text, tokenised as it stands (added tokens such as {@code <|im_start|>} included). */
    public record Text(String text) implements Piece {
    }

    /** The visual tokens of {@code images().get(pixelIndex)} go here. */
    public record Image(int pixelIndex) implements Piece {
    }

    /** The prompt as the reference's string holds it, each image written as {@link #imageMarker()}. */
    public String promptText() {
        StringBuilder b = new StringBuilder();
        for (Piece p : pieces) {
            b.append(p instanceof Text t ? t.text() : imageMarker);
        }
        return b.toString();
    }
}
