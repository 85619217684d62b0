package dev.radar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.radar.RadarException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The shard plan on disk, {@code root/.radar/shards-{version}-{N}.json}: which samples each shard holds and
 * which task file each comes from, so a worker reads only its shard's files and images.
 */
final class ShardIndex {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A loaded shard; {@code taskFolders} maps each of its tasks to the source folder it was read from (the taxonomy
     * resolves tasks by folder too); {@code fullLoad} says whether the whole benchmark had to be read (no usable cache).
     */
    record Loaded(List<BenchSample> samples, Map<String, String> taskFolders, boolean fullLoad, int taskFilesRead) {
    }

    private record Index(ShardPlan plan, Map<String, M3BenchReader.TaskFileRef> files) {
    }

    private ShardIndex() {
    }

    static Path file(Path root, String version, int shardCount) {
        return VersionCache.cacheDir(root).resolve("shards-" + version + "-" + shardCount + ".json");
    }

    static void write(Path root, ShardPlan plan, Map<String, M3BenchReader.TaskFileRef> files) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", 1);
        n.put("version", plan.version());
        n.put("shardCount", plan.shardCount());
        ObjectNode fs = n.putObject("files");
        Set<String> tasks = new HashSet<>();
        plan.shards().forEach(s -> s.sampleKeys().forEach(k -> tasks.add(Names.splitKey(k)[0])));
        new TreeMap<>(files).forEach((task, ref) -> {
            if (tasks.contains(task)) {
                fs.putObject(task).put("folder", ref.folder()).put("file", ref.relFile())
                        .put("declaredCount", ref.declaredCount());
            }
        });
        ArrayNode shards = n.putArray("shards");
        for (ShardPlan.Shard s : plan.shards()) {
            ObjectNode o = shards.addObject().put("index", s.index()).put("cost", s.cost());
            s.sampleKeys().forEach(o.putArray("samples")::add);
        }
        try {
            VersionCache.writeAtomically(file(root, plan.version(), plan.shardCount()),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            // Read-only benchmark: workers will rebuild the plan in memory.
        }
    }

    private static Index read(Path f, String version, int shardCount) {
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            if (!version.equals(n.path("version").asText()) || n.path("shardCount").asInt() != shardCount) {
                return null;
            }
            Map<String, M3BenchReader.TaskFileRef> files = new LinkedHashMap<>();
            n.path("files").properties().forEach(e -> files.put(e.getKey(), new M3BenchReader.TaskFileRef(
                    e.getKey(), e.getValue().path("folder").asText(), e.getValue().path("file").asText(),
                    e.getValue().path("declaredCount").asInt())));
            List<ShardPlan.Shard> shards = new ArrayList<>();
            for (JsonNode s : n.path("shards")) {
                List<String> keys = new ArrayList<>();
                s.path("samples").forEach(k -> keys.add(k.asText()));
                shards.add(new ShardPlan.Shard(s.path("index").asInt(), keys, s.path("cost").asLong()));
            }
            return shards.size() == shardCount ? new Index(new ShardPlan(version, shards), files) : null;
        } catch (IOException | RuntimeException e) {
            return null; // damaged index: rebuilt from the benchmark
        }
    }

    static Loaded load(Path root, String expectedVersion, int shardIndex, int shardCount) {
        ShardPlan.checkIndex(shardIndex, shardCount);
        Path r = M3BenchReader.checkRoot(root);
        BenchContent full = null;
        String onDisk = VersionCache.open(r).trustedVersion(VersionCache.fingerprint(r));
        if (onDisk == null) {
            full = BenchContent.read(r);
            onDisk = full.version();
        }
        if (!onDisk.equals(expectedVersion)) {
            throw new RadarException("benchmark " + r + " is version " + onDisk + " on disk, not the expected "
                    + expectedVersion + ": it changed after the evaluation was planned. Scores of two versions never "
                    + "mix; plan a new evaluation for the new version.");
        }
        Index ix = read(file(r, expectedVersion, shardCount), expectedVersion, shardCount);
        if (ix == null) {
            if (full == null) {
                full = BenchContent.read(r);
            }
            ShardPlan plan = ShardPlan.plan(full.version(), full.samples(), shardCount);
            write(r, plan, full.files());
            ix = new Index(plan, full.files());
        }
        Map<String, Set<String>> byTask = tasksOf(ix.plan().shard(shardIndex).sampleKeys());
        List<BenchSample> samples = readSamples(r, byTask, ix.files());
        Map<String, String> folders = new TreeMap<>();
        for (String task : byTask.keySet()) {
            folders.put(task, ix.files().get(task).folder()); // readSamples has checked that each has a file
        }
        return new Loaded(samples, folders, full != null, full != null ? -1 : byTask.size());
    }

    static int sampleCount(Path root, String expectedVersion, int shardIndex, int shardCount) {
        ShardPlan.checkIndex(shardIndex, shardCount);
        Path r = M3BenchReader.checkRoot(root);
        Index ix = read(file(r, expectedVersion, shardCount), expectedVersion, shardCount);
        if (ix != null) {
            return ix.plan().sampleCountOfShard(shardIndex);
        }
        return load(r, expectedVersion, shardIndex, shardCount).samples().size();
    }

    private static Map<String, Set<String>> tasksOf(List<String> keys) {
        Map<String, Set<String>> byTask = new TreeMap<>();
        for (String k : keys) {
            String[] tk = Names.splitKey(k);
            byTask.computeIfAbsent(tk[0], t -> new HashSet<>()).add(tk[1]);
        }
        return byTask;
    }

    private static List<BenchSample> readSamples(Path root, Map<String, Set<String>> byTask,
                                                 Map<String, M3BenchReader.TaskFileRef> files) {
        List<BenchSample> out = new ArrayList<>();
        for (var e : byTask.entrySet()) {
            M3BenchReader.TaskFileRef ref = files.get(e.getKey());
            if (ref == null) {
                throw new RadarException("shard index of " + root + " names task " + e.getKey()
                        + " but no file for it; delete " + VersionCache.cacheDir(root) + " to rebuild it");
            }
            M3BenchReader.FileResult fr = M3BenchReader.read(root, ref, e.getValue()::contains);
            if (fr.samples().size() != e.getValue().size()) {
                throw new RadarException("shard samples of task " + e.getKey() + " no longer load from "
                        + ref.relFile() + ": " + fr.problems() + "; the benchmark changed, plan again");
            }
            out.addAll(fr.samples());
        }
        out.sort(Names.SAMPLE_ORDER);
        return out;
    }
}
