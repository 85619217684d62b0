package dev.radar.scoring.djl;

import dev.radar.scoring.ModelConfig;
import dev.radar.scoring.ModelLoadException;

import java.nio.file.Path;
import java.util.function.Function;

/** Binds a contract-2 package's family to the project's prompt rules and image processor. */
final class ProjectFamilyRules {

    private ProjectFamilyRules() {
    }

    static FamilyRules forConfig(ModelConfig config, Path configFile, Function<String, int[]> encoder) {
        throw new ModelLoadException(configFile + ": no prompt rules / image processor for family " + config.family()
                + " in this build");
    }
}
