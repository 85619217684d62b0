package dev.radar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.radar.RadarException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Which ability each benchmark task measures: a versioned, user-editable YAML file.
 *
 * <p>Matching, first hit wins: (1) {@code tasks:} exact task name; (2) {@code sources:} the longest source
 * name that is the task or a prefix of it followed by '_', using its {@code categories:} override for the rest
 * of the task name, else the source's own {@code ability}/{@code fine}; (3) {@code folders:} the source folder
 * the task file lies in (known only to a taxonomy obtained from {@link Benchmark#taxonomy()}).
 * The shipped default is {@value #DEFAULT_RESOURCE} on the classpath; a {@code taxonomy.yaml} in a benchmark
 * root replaces it for that benchmark.
 */
public final class Taxonomy {
    public static final String DEFAULT_RESOURCE = "bench/taxonomy.yaml";
    public static final String FILE_NAME = "taxonomy.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> ABILITIES = Set.of(TaskAbility.PERCEPTION, TaskAbility.REASONING);

    private record Rule(String ability, String fine) {
    }

    private record SourceRule(Rule defaultRule, Map<String, Rule> categories) {
    }

    private final String origin;
    private final String version;
    private final Map<String, Rule> tasks;
    private final Map<String, SourceRule> sources;
    private final Map<String, Rule> folders;
    private final Map<String, String> folderOfTask;

    private Taxonomy(String origin, String version, Map<String, Rule> tasks, Map<String, SourceRule> sources,
                     Map<String, Rule> folders, Map<String, String> folderOfTask) {
        this.origin = origin;
        this.version = version;
        this.tasks = tasks;
        this.sources = sources;
        this.folders = folders;
        this.folderOfTask = folderOfTask;
    }

    /** The taxonomy shipped with RADAR (M3-Bench sources, MMBench's 20 categories, the synthetic tasks). */
    public static Taxonomy defaults() {
        try (InputStream in = Taxonomy.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new RadarException("default taxonomy resource " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            byte[] bytes = in.readAllBytes();
            return parse(bytes, "the default taxonomy (classpath " + DEFAULT_RESOURCE
                    + ", source src/main/resources/" + DEFAULT_RESOURCE + ")");
        } catch (IOException e) {
            throw new RadarException("cannot read default taxonomy " + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
        }
    }

    public static Taxonomy load(Path yamlFile) {
        try {
            return parse(Files.readAllBytes(yamlFile), yamlFile.toAbsolutePath().normalize().toString());
        } catch (IOException e) {
            throw new RadarException("cannot read taxonomy file " + yamlFile + ": " + e.getMessage(), e);
        }
    }

    /** Version written in the file ({@code version:}); files without one get {@code sha256:} of their bytes. */
    public String version() {
        return version;
    }

    /** Where this taxonomy came from: the YAML file's path, or a description of the default resource. */
    public String origin() {
        return origin;
    }

    /**
     * Ability of a task.
     *
     * @throws RadarException if no rule matches; the message names the file to edit
     */
    public TaskAbility abilityOf(String task) {
        String source = Names.sourceOf(task);
        Rule r = tasks.get(task);
        if (r == null) {
            r = bySource(task);
        }
        if (r == null && folderOfTask.containsKey(task)) {
            r = folders.get(folderOfTask.get(task));
        }
        if (r == null) {
            throw new RadarException("task '" + task + "' has no ability in " + origin + ": add it under 'tasks:' "
                    + "(exact name) or its source '" + source + "' under 'sources:' in that file. To customise a "
                    + "benchmark, copy the default (src/main/resources/" + DEFAULT_RESOURCE + ") to "
                    + "<benchmark root>/" + FILE_NAME + " and edit it there.");
        }
        return new TaskAbility(task, source, r.ability(), r.fine());
    }

    /** Same rules, also resolving tasks by the source folder they were read from. */
    Taxonomy withTaskFolders(Map<String, String> taskToFolder) {
        return new Taxonomy(origin, version, tasks, sources, folders, Map.copyOf(taskToFolder));
    }

    private Rule bySource(String task) {
        String best = null;
        for (String s : sources.keySet()) {
            if ((task.equals(s) || task.startsWith(s + "_")) && (best == null || s.length() > best.length())) {
                best = s;
            }
        }
        if (best == null) {
            return null;
        }
        SourceRule sr = sources.get(best);
        String category = task.length() > best.length() ? task.substring(best.length() + 1) : "";
        Rule r = sr.categories().get(category);
        return r != null ? r : sr.defaultRule();
    }

    private static Taxonomy parse(byte[] yaml, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new RadarException("taxonomy " + origin + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new RadarException("taxonomy " + origin + " must be a YAML mapping with tasks:, sources:, folders:");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("version", "tasks", "sources", "folders").contains(k)) {
                throw new RadarException("taxonomy " + origin + ": unknown key '" + k
                        + "' (expected version, tasks, sources, folders)");
            }
        }
        String version = root.path("version").asText("").trim();
        if (version.isEmpty()) {
            version = "sha256:" + HexFormat.of().formatHex(VersionCache.sha256().digest(yaml)).substring(0, 16);
        }
        Map<String, Rule> tasks = rules(root.path("tasks"), origin, "tasks");
        Map<String, Rule> folders = rules(root.path("folders"), origin, "folders");
        Map<String, SourceRule> sources = new HashMap<>();
        root.path("sources").properties().forEach(e -> {
            String where = "sources." + e.getKey();
            JsonNode v = e.getValue();
            Rule def = v.has("ability") || v.has("fine") ? rule(v, origin, where) : null;
            Map<String, Rule> cats = rules(v.path("categories"), origin, where + ".categories");
            if (def == null && cats.isEmpty()) {
                throw new RadarException("taxonomy " + origin + ": " + where + " needs ability/fine or categories");
            }
            sources.put(e.getKey(), new SourceRule(def, cats));
        });
        return new Taxonomy(origin, version, Map.copyOf(tasks), Map.copyOf(sources), Map.copyOf(folders), Map.of());
    }

    private static Map<String, Rule> rules(JsonNode node, String origin, String where) {
        Map<String, Rule> out = new HashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), rule(e.getValue(), origin, where + "." + e.getKey())));
        return out;
    }

    private static Rule rule(JsonNode v, String origin, String where) {
        String ability = v.path("ability").asText("").trim();
        String fine = v.path("fine").asText("").trim();
        if (!ABILITIES.contains(ability)) {
            throw new RadarException("taxonomy " + origin + ": " + where + ".ability must be perception or reasoning, was '"
                    + ability + "'");
        }
        if (fine.isEmpty()) {
            throw new RadarException("taxonomy " + origin + ": " + where + ".fine (fine ability) is missing");
        }
        return new Rule(ability, fine);
    }
}
