package dev.radar.scoring.prompt;

/**
 * The family's tokenizer as the reference calls it on one piece of text: {@code tokenizer.json} semantics, added
 * tokens (e.g. {@code <|im_start|>}) recognised in the text, no special tokens added (none of these families adds
 * a BOS), no truncation, no padding.
 */
@FunctionalInterface
public interface TextEncoder {
    int[] encode(String text);
}
