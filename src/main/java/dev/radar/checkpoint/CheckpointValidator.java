package dev.radar.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.events.CheckpointSaved;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a {@link CheckpointSaved} can be scored, and if not why, before any work is planned for it (and again by
 * a scorer before it loads anything):
 * <ul>
 *   <li>fields: run id present, at most {@value #MAX_RUN_ID_LENGTH} characters of {@code [A-Za-z0-9._:/-]} (it
 *       becomes a Kafka key, a metric label and part of URLs); step and tokensSeen not negative; URI and benchmark
 *       present;</li>
 *   <li>location: the URI is a local path ({@code file:} or absolute) and, when allowed roots are configured, its
 *       REAL path (symlinks resolved) is under the real path of one of them: a symlink inside a root that points
 *       outside it is rejected;</li>
 *   <li>content (planner and scorer): a well-formed scoring package, or a complete Hugging Face checkpoint of a
 *       supported family ({@link #FAMILIES}) with a matching architecture package (see
 *       {@link ArchitecturePackages}).</li>
 * </ul>
 * Reason codes are constants here; the detail says what to do.
 */
public final class CheckpointValidator {

    /** Why an event was rejected: a short reason code and a human-readable detail. */
    public record Rejection(String reason, String detail) {
    }

    public static final int MAX_RUN_ID_LENGTH = 128;
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:/-]+");

    public static final String MISSING_FIELD = "missing-field";
    public static final String INVALID_RUN_ID = "invalid-run-id";
    public static final String CHECKPOINT_MISSING = "checkpoint-missing";
    public static final String OUTSIDE_ALLOWED_ROOTS = "uri-outside-allowed-roots";
    public static final String NOT_A_CHECKPOINT = "not-a-checkpoint";
    public static final String INVALID_SCORING_PACKAGE = "invalid-scoring-package";
    public static final String UNSUPPORTED_ARCHITECTURE = "unsupported-architecture";
    public static final String INCOMPLETE_CHECKPOINT = "incomplete-checkpoint";
    public static final String NO_ARCHITECTURE_PACKAGE = "no-architecture-package";

    /** config.json model_type -> RADAR family, for the families raw checkpoints are scored of. */
    public static final Map<String, String> FAMILIES = Map.of("qwen2_vl", "qwen2-vl", "internvl", "internvl3.5",
            "llava_onevision", "llava-onevision");

    private final List<Path> allowedRoots;
    private final Optional<ArchitecturePackages> content;

    /** Fields and location only (publishers, the folder watcher): the planner looks at the content. */
    public CheckpointValidator(List<Path> allowedRoots) {
        this(allowedRoots, Optional.empty());
    }

    private CheckpointValidator(List<Path> allowedRoots, Optional<ArchitecturePackages> content) {
        this.allowedRoots = allowedRoots.stream().map(CheckpointValidator::realOrNormal).toList();
        this.content = content;
    }

    /** Fields, location and content: what the planner and the scorers use. */
    public static CheckpointValidator withContent(List<Path> allowedRoots, ArchitecturePackages architectures) {
        return new CheckpointValidator(allowedRoots, Optional.of(architectures));
    }

    public static CheckpointValidator withContent(CheckpointConfig config) {
        return withContent(config.allowedRoots(), new ArchitecturePackages(config.architectures()));
    }

    public Optional<Rejection> check(CheckpointSaved e) {
        if (isBlank(e.getRunId())) {
            return reject(MISSING_FIELD, "runId is empty");
        }
        Optional<Rejection> runId = checkRunId(e.getRunId());
        if (runId.isPresent()) {
            return runId;
        }
        if (e.getStep() < 0) {
            return reject("invalid-step", "step must be >= 0, was " + e.getStep());
        }
        if (isBlank(e.getCheckpointUri())) {
            return reject(MISSING_FIELD, "checkpointUri is empty");
        }
        if (isBlank(e.getBenchmark())) {
            return reject(MISSING_FIELD, "benchmark is empty");
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
        return checkCheckpoint(path);
    }

    /** Location, then (when this validator looks at content) content: the scorer's re-check before loading. */
    public Optional<Rejection> checkCheckpoint(Path path) {
        Optional<Rejection> where = checkLocation(path);
        if (where.isPresent() || content.isEmpty()) {
            return where;
        }
        try {
            inspect(path, content.get());
            return Optional.empty();
        } catch (CheckpointException ex) {
            return reject(ex.reason(), ex.getMessage());
        }
    }

    /** Run id rules: present, at most {@value #MAX_RUN_ID_LENGTH} characters, {@code [A-Za-z0-9._:/-]} only. */
    public static Optional<Rejection> checkRunId(String runId) {
        if (runId.length() > MAX_RUN_ID_LENGTH) {
            return reject(INVALID_RUN_ID, "runId has " + runId.length() + " characters, at most "
                    + MAX_RUN_ID_LENGTH + " are allowed");
        }
        if (!RUN_ID.matcher(runId).matches()) {
            return reject(INVALID_RUN_ID, "runId '" + runId + "' has characters outside [A-Za-z0-9._:/-]");
        }
        return Optional.empty();
    }

    /** Allowed roots on real paths: an existing path is resolved (symlinks followed) before the comparison. */
    public Optional<Rejection> checkLocation(Path path) {
        if (allowedRoots.isEmpty()) {
            return Optional.empty();
        }
        Path real = realOrNormal(path);
        if (allowedRoots.stream().noneMatch(real::startsWith)) {
            return reject(OUTSIDE_ALLOWED_ROOTS, "checkpointUri " + path + (real.equals(path) ? "" : " (really " + real
                    + ")") + " is outside the allowed roots " + allowedRoots + " (planner.allowed.roots)");
        }
        return Optional.empty();
    }

    /**
     * What {@code dir} holds, or a {@link CheckpointException} with the reason it cannot be scored: the one place
     * that decides between a scoring package and a raw Hugging Face checkpoint.
     */
    public static CheckpointContent inspect(Path dir, ArchitecturePackages architectures) {
        if (!Files.exists(dir)) {
            throw new CheckpointException(CHECKPOINT_MISSING, "checkpoint folder " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(NOT_A_CHECKPOINT, dir + " is a file, not a checkpoint folder");
        }
        if (Files.isRegularFile(dir.resolve("radar-model.json"))) {
            checkScoringPackage(dir);
            return new CheckpointContent.ScoringPackage(dir);
        }
        if (!HfCheckpoint.looksLikeOne(dir)) {
            throw new CheckpointException(NOT_A_CHECKPOINT, dir + " has neither radar-model.json (a scoring package) "
                    + "nor config.json (a Hugging Face checkpoint)");
        }
        JsonNode config = HfCheckpoint.readConfig(dir);
        String modelType = config.path("model_type").asText("");
        String family = FAMILIES.get(modelType);
        if (family == null) {
            throw new CheckpointException(UNSUPPORTED_ARCHITECTURE, dir + "/config.json has model_type '" + modelType
                    + "'; raw checkpoints are scored for " + FAMILIES.keySet().stream().sorted().toList()
                    + " (other models: export a scoring package with models/export_hf.py)");
        }
        HfCheckpoint checkpoint = HfCheckpoint.open(dir);
        Optional<ArchitecturePackages.Package> arch = architectures.match(config);
        if (arch.isEmpty()) {
            String where = architectures.root().map(Path::toString).orElse("ARCH_DIR");
            throw new CheckpointException(NO_ARCHITECTURE_PACKAGE, "no architecture package for " + dir + " ("
                    + modelType + ") in " + (architectures.root().isPresent() ? where + ": "
                    + architectures.mismatches(config) : "scoring.architectures (not set)")
                    + "; make one once per architecture: python models/export_hf.py --architecture --family "
                    + family + " --checkpoint " + dir + " --out " + where + "/" + family + "-NAME --dtype bfloat16");
        }
        return new CheckpointContent.RawCheckpoint(checkpoint, arch.get(), family);
    }

    /** A scoring package's description parses and the files its contract needs are there. */
    private static void checkScoringPackage(Path dir) {
        Path file = dir.resolve("radar-model.json");
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new CheckpointException(INVALID_SCORING_PACKAGE, file + " does not parse ("
                    + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (json == null || !json.isObject()) {
            throw new CheckpointException(INVALID_SCORING_PACKAGE, file + " is not a JSON object");
        }
        List<String> needed = json.path("contract").asInt(1) == 2
                ? List.of("vision.pt", "language.pt", "tokenizer.json") : List.of("model.pt", "tokenizer.json");
        for (String name : needed) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new CheckpointException(INVALID_SCORING_PACKAGE, "scoring package " + dir + " has no " + name);
            }
        }
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

    /** The real path of an existing file (symlinks resolved), else the normalised absolute path. */
    private static Path realOrNormal(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            return abs;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static Optional<Rejection> reject(String reason, String detail) {
        return Optional.of(new Rejection(reason, detail));
    }
}
