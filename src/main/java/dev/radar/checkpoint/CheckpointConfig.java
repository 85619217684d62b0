package dev.radar.checkpoint;

import dev.radar.config.RadarProperties;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where checkpoints may live and where the architecture packages for raw Hugging Face checkpoints are; read by the
 * planner (before planning) and by every scorer (again, before loading).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>planner.allowed.roots</td><td>(any)</td><td>comma-separated folders checkpoints must live under, compared
 *       on real paths (symlinks resolved)</td></tr>
 *   <tr><td>scoring.architectures</td><td>(none)</td><td>folder of architecture packages (one sub-folder each, made
 *       once per architecture by {@code models/export_hf.py --architecture}); without it only scoring packages
 *       are accepted</td></tr>
 * </table>
 *
 * @param allowedRoots  folders checkpoints must live under; empty = any local folder
 * @param architectures folder of architecture packages, if configured
 */
public record CheckpointConfig(List<Path> allowedRoots, Optional<Path> architectures) {

    public static final String ALLOWED_ROOTS = "planner.allowed.roots";
    public static final String ARCHITECTURES = "scoring.architectures";

    public static CheckpointConfig from(RadarProperties p) {
        List<Path> roots = Arrays.stream(p.get(ALLOWED_ROOTS, "").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        String arch = p.get(ARCHITECTURES, "");
        return new CheckpointConfig(roots, arch.isBlank() ? Optional.empty() : Optional.of(Path.of(arch.trim())));
    }
}
