package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.image.ImageLoadException;
import dev.radar.scoring.image.VisionInput;
import dev.radar.scoring.prompt.TokenizedPrompt;

import java.nio.file.Path;
import java.util.List;

/**
 * What contract-2 preparation needs from a family: its prompt rules (dev.radar.scoring.prompt) and its image
 * processor (dev.radar.scoring.image), behind one narrow interface: {@link ProjectFamilyRules} binds the real ones,
 * and tests hand the preparer prompts that break its checks on purpose. Implementations are thread-safe
 * (prefetch threads share one).
 */
interface FamilyRules {

    /** Version of the prompt rules, recorded with every score. */
    String version();

    /** The sample's prompt plan: its images in pixel order. Throws when the prompt cannot be built. */
    Plan plan(BenchSample sample);

    /** One image, processed as the family's reference does. */
    VisionInput image(Path file) throws ImageLoadException;

    /** Token ids of the plan's prompt and candidates, given the visual tokens of each image in pixel order. */
    TokenizedPrompt tokenize(Plan plan, int[] visualTokensPerImage);

    /** A planned prompt: the images to process (pixel order) and the rules' own plan object. */
    record Plan(List<Path> images, Object rulesPlan) {
    }
}
