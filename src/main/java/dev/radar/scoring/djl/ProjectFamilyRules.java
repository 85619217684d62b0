package dev.radar.scoring.djl;

import dev.radar.bench.BenchSample;
import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;
import dev.radar.scoring.image.ImageLoadException;
import dev.radar.scoring.image.ImageProcessor;
import dev.radar.scoring.image.ImageProcessors;
import dev.radar.scoring.image.VisionInput;
import dev.radar.scoring.prompt.PromptPlan;
import dev.radar.scoring.prompt.PromptRules;
import dev.radar.scoring.prompt.TextEncoder;
import dev.radar.scoring.prompt.TokenizedPrompt;

import java.nio.file.Path;

/**
 * Binds a contract-2 package's family to the project's prompt rules (dev.radar.scoring.prompt) and image processor
 * (dev.radar.scoring.image), configured from radar-model.json's {@code promptRules} and {@code vision}.
 */
final class ProjectFamilyRules implements FamilyRules {

    private final PromptRules prompts;
    private final ImageProcessor images;
    private final TextEncoder encoder;

    private ProjectFamilyRules(PromptRules prompts, ImageProcessor images, TextEncoder encoder) {
        this.prompts = prompts;
        this.images = images;
        this.encoder = encoder;
    }

    static FamilyRules forConfig(ModelConfig config, Path configFile, TextEncoder encoder) {
        ModelConfig.Vision v = config.vision();
        double[] mean = v.mean().stream().mapToDouble(Double::doubleValue).toArray();
        double[] std = v.std().stream().mapToDouble(Double::doubleValue).toArray();
        PromptRules rules;
        ImageProcessor processor;
        try {
            rules = PromptRules.forFamily(config.promptRules());
            processor = switch (config.family()) {
                case "qwen2-vl" -> ImageProcessors.qwen2vl(v.minPixels(), v.maxPixels(), mean, std);
                case "internvl3.5" -> ImageProcessors.internvl(v.imageSize(), v.maxTiles(), v.thumbnail(), mean, std);
                // Both layouts take the reference's square resize to the SigLIP size (base features, no anyres).
                case "llava-onevision" -> ImageProcessors.llavaSquare(v.imageSize(), mean, std);
                default -> throw new IllegalArgumentException("no image processor for family " + config.family());
            };
        } catch (RuntimeException e) {
            throw new ModelLoadException(configFile + ": " + e.getMessage(), e);
        }
        return new ProjectFamilyRules(rules, processor, encoder);
    }

    @Override
    public String version() {
        // The rules' version does not name the family; a score must say which family's rules built it.
        return prompts.family().id() + "/" + prompts.version();
    }

    @Override
    public Plan plan(BenchSample sample) {
        PromptPlan p = prompts.plan(sample);
        return new Plan(p.images(), p);
    }

    @Override
    public VisionInput image(Path file) throws ImageLoadException {
        return images.process(file);
    }

    @Override
    public TokenizedPrompt tokenize(Plan plan, int[] visualTokensPerImage) {
        return prompts.tokenize((PromptPlan) plan.rulesPlan(), encoder, visualTokensPerImage);
    }
}
