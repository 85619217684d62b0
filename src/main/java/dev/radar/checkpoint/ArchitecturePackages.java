package dev.radar.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The folder of architecture packages ({@code scoring.architectures}): one sub-folder per architecture, each a
 * contract-2 scoring package whose radar-model.json also has {@code architecture} (the config.json it was traced
 * from, without {@code architecture.ignoredKeys}) and {@code weights} (the safetensors key of every traced
 * parameter), written once by {@code models/export_hf.py --architecture}. A raw checkpoint matches a package when
 * its config.json, without the same ignored keys, equals the package's (numbers compared by value): then the
 * traced code is the code of this checkpoint, and only the weights differ.
 */
public final class ArchitecturePackages {

    /**
     * One architecture package.
     *
     * @param dir         its folder
     * @param modelType   config.json model_type it was traced from
     * @param ignoredKeys config keys left out of the match, at any depth
     * @param config      the config fields a checkpoint must have
     */
    public record Package(Path dir, String modelType, Set<String> ignoredKeys, JsonNode config) {
    }

    private record Cached(long modified, Optional<Package> pkg) {
    }

    private final Optional<Path> root;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    public ArchitecturePackages(Optional<Path> root) {
        this.root = root;
    }

    public static ArchitecturePackages none() {
        return new ArchitecturePackages(Optional.empty());
    }

    public Optional<Path> root() {
        return root;
    }

    /** Two catalogues of the same folder are the same configuration (the cache is derived from the folder). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ArchitecturePackages other && other.root.equals(root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "ArchitecturePackages[" + root.map(Path::toString).orElse("none") + "]";
    }

    /** The package whose architecture fields equal {@code checkpoint}'s config.json, if any. */
    public Optional<Package> match(JsonNode checkpointConfig) {
        String type = checkpointConfig.path("model_type").asText("");
        return all().stream().filter(p -> p.modelType().equals(type))
                .filter(p -> sameJson(strip(checkpointConfig, p.ignoredKeys()), p.config())).findFirst();
    }

    /** Why nothing matched: the packages of the same model_type and the first field each differs in. */
    public String mismatches(JsonNode checkpointConfig) {
        String type = checkpointConfig.path("model_type").asText("");
        List<String> out = new ArrayList<>();
        for (Package p : all()) {
            if (p.modelType().equals(type)) {
                out.add(p.dir().getFileName() + " differs at " + firstDifference("", strip(checkpointConfig,
                        p.ignoredKeys()), p.config()));
            }
        }
        return out.isEmpty() ? "no package of model_type " + type : String.join("; ", out);
    }

    /** Every readable architecture package under the root (re-read when a radar-model.json changes). */
    public List<Package> all() {
        if (root.isEmpty() || !Files.isDirectory(root.get())) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root.get())) {
            return dirs.filter(Files::isDirectory).sorted().map(this::read).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new CheckpointException(CheckpointValidator.NO_ARCHITECTURE_PACKAGE,
                    "cannot list scoring.architectures " + root.get() + ": " + e.getMessage(), e);
        }
    }

    private Optional<Package> read(Path dir) {
        Path file = dir.resolve("radar-model.json");
        long modified;
        try {
            modified = Files.isRegularFile(file) ? Files.getLastModifiedTime(file).toMillis() : -1;
        } catch (IOException e) {
            return Optional.empty();
        }
        Cached c = cache.get(dir);
        if (c != null && c.modified() == modified) {
            return c.pkg();
        }
        Optional<Package> pkg = Optional.empty();
        if (modified >= 0) {
            try {
                JsonNode arch = new ObjectMapper().readTree(file.toFile()).path("architecture");
                if (arch.path("config").isObject() && arch.path("modelType").isTextual()) {
                    Set<String> ignored = new HashSet<>();
                    arch.path("ignoredKeys").forEach(k -> ignored.add(k.asText()));
                    pkg = Optional.of(new Package(dir, arch.get("modelType").asText(), Set.copyOf(ignored),
                            arch.get("config")));
                }
            } catch (IOException e) {
                pkg = Optional.empty();     // not an architecture package; a scoring package may sit here too
            }
        }
        cache.put(dir, new Cached(modified, pkg));
        return pkg;
    }

    /** {@code n} without the keys in {@code ignored}, at any depth. */
    static JsonNode strip(JsonNode n, Set<String> ignored) {
        if (n.isObject()) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!ignored.contains(f.getKey())) {
                    out.set(f.getKey(), strip(f.getValue(), ignored));
                }
            }
            return out;
        }
        if (n.isArray()) {
            var out = new ObjectMapper().createArrayNode();
            n.forEach(v -> out.add(strip(v, ignored)));
            return out;
        }
        return n;
    }

    /** JSON equality with numbers compared by value (1000000 and 1000000.0 are one rope_theta). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        return firstDifference("", a, b) == null;
    }

    private static String firstDifference(String path, JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0 ? null : path + " (" + a + " vs " + b + ")";
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new java.util.TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (String k : names) {
                String where = path.isEmpty() ? k : path + "." + k;
                if (!a.has(k) || !b.has(k)) {
                    return where + " (" + (a.has(k) ? "only in the checkpoint" : "only in the package") + ")";
                }
                String d = firstDifference(where, a.get(k), b.get(k));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = firstDifference(path + "[" + i + "]", a.get(i), b.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) ? null : (path.isEmpty() ? "(root)" : path) + " (" + a + " vs " + b + ")";
    }
}
