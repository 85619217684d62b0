package dev.radar.planner;

import dev.radar.events.CheckpointSaved;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;

/**
 * Checks a {@link CheckpointSaved} before any work is planned for it: required fields present, step not negative,
 * checkpoint URI parseable and, when allowed roots are configured, inside one of them (a training job must not make
 * the scorers read arbitrary files).
 */
public final class CheckpointValidator {

    /** Why an event was rejected: a short reason code and a human-readable detail. */
    public record Rejection(String reason, String detail) {
    }

    private final List<Path> allowedRoots;

    /** @param allowedRoots absolute directories checkpoints may live under; empty allows any local path */
    public CheckpointValidator(List<Path> allowedRoots) {
        this.allowedRoots = allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    public Optional<Rejection> check(CheckpointSaved e) {
        if (isBlank(e.getRunId())) {
            return reject("missing-field", "runId is empty");
        }
        if (e.getStep() < 0) {
            return reject("invalid-step", "step must be >= 0, was " + e.getStep());
        }
        if (isBlank(e.getCheckpointUri())) {
            return reject("missing-field", "checkpointUri is empty");
        }
        if (isBlank(e.getBenchmark())) {
            return reject("missing-field", "benchmark is empty");
        }
        if (e.getTokensSeen() != null && e.getTokensSeen() < 0) {
            return reject("invalid-tokens", "tokensSeen must be >= 0, was " + e.getTokensSeen());
        }
        Path path;
        try {
            path = toPath(e.getCheckpointUri());
        } catch (IllegalArgumentException ex) {
            return reject("invalid-uri", "checkpointUri '" + e.getCheckpointUri() + "' is not usable: " + ex.getMessage());
        }
        if (!allowedRoots.isEmpty() && allowedRoots.stream().noneMatch(path::startsWith)) {
            return reject("uri-outside-allowed-roots", "checkpointUri " + path + " is outside the allowed roots "
                    + allowedRoots + " (planner.allowed.roots)");
        }
        return Optional.empty();
    }

    /**
     * A checkpoint URI as a local path: {@code file:} URIs and plain absolute paths are accepted; other schemes are
     * rejected with a clear message (object stores must be mounted or synced to a local path first).
     */
    public static Path toPath(String uri) {
        if (uri.startsWith("/")) {
            return Paths.get(uri).toAbsolutePath().normalize();
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException ex) {
            throw new IllegalArgumentException("unparseable URI (" + ex.getReason() + ")");
        }
        if (parsed.getScheme() == null) {
            return Paths.get(uri).toAbsolutePath().normalize();
        }
        if (!"file".equalsIgnoreCase(parsed.getScheme())) {
            throw new IllegalArgumentException("unsupported scheme '" + parsed.getScheme()
                    + "' (use file: or a local path)");
        }
        if (parsed.getPath() == null || parsed.getPath().isEmpty()) {
            throw new IllegalArgumentException("file URI without a path");
        }
        return Paths.get(parsed).toAbsolutePath().normalize();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static Optional<Rejection> reject(String reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
