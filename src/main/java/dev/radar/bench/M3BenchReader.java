package dev.radar.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.RadarException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the M3-Bench folder layout. Every per-question defect becomes a {@link BenchProblem} and the
 * question is skipped; only an unreadable root throws, so one bad file never hides the rest.
 */
final class M3BenchReader {
    /** Questions with more images than this are skipped (and reported): prompts would exceed model contexts. */
    static final int MAX_IMAGES = 12;
    static final String CACHE_DIR = ".radar";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private M3BenchReader() {
    }

    /** One task file: {@code relFile} is relative to the root, with '/' separators on every OS. */
    record TaskFileRef(String task, String folder, String relFile, int declaredCount) {
        Path path(Path root) {
            return root.resolve(relFile);
        }
    }

    record Listing(List<TaskFileRef> files, List<BenchProblem> problems) {
    }

    record FileResult(List<BenchSample> samples, List<BenchProblem> problems, int tooManyImages) {
    }

    static Path checkRoot(Path root) {
        if (root == null || !Files.isDirectory(root)) {
            throw new RadarException("benchmark root folder " + root + " does not exist or is not a folder");
        }
        if (!Files.isReadable(root)) {
            throw new RadarException("benchmark root folder " + root + " is not readable");
        }
        return root.toAbsolutePath().normalize();
    }

    /** Task files of every source folder, sorted by task; misnamed JSON files and duplicate tasks are problems. */
    static Listing list(Path root) {
        List<TaskFileRef> refs = new ArrayList<>();
        List<BenchProblem> problems = new ArrayList<>();
        Map<String, TaskFileRef> byTask = new HashMap<>();
        for (Path folder : sortedChildren(root)) {
            String folderName = folder.getFileName().toString();
            if (!Files.isDirectory(folder) || folderName.startsWith(".")) {
                continue;
            }
            for (Path f : sortedChildren(folder)) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || !name.endsWith(".json")) {
                    continue;
                }
                String rel = folderName + "/" + name;
                Names.TaskFile tf = Names.parseTaskFile(name);
                if (tf == null) {
                    problems.add(new BenchProblem(rel, "",
                            "ignored: not named {Source}_{category}_{N}" + Names.SUFFIX));
                    continue;
                }
                TaskFileRef ref = new TaskFileRef(tf.task(), folderName, rel, tf.declaredCount());
                TaskFileRef earlier = byTask.putIfAbsent(tf.task(), ref);
                if (earlier != null) {
                    problems.add(new BenchProblem(rel, "", "ignored: task " + tf.task()
                            + " already loaded from " + earlier.relFile() + " (keep one file per task)"));
                    continue;
                }
                refs.add(ref);
            }
        }
        refs.sort((a, b) -> a.task().compareTo(b.task()));
        return new Listing(refs, problems);
    }

    private static List<Path> sortedChildren(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new RadarException("cannot list benchmark folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads the questions of one task file that {@code wanted} accepts (all, for a full load). */
    static FileResult read(Path root, TaskFileRef ref, Predicate<String> wanted) {
        List<BenchSample> samples = new ArrayList<>();
        List<BenchProblem> problems = new ArrayList<>();
        JsonNode doc;
        try {
            doc = JSON.readTree(ref.path(root).toFile());
        } catch (IOException e) {
            problems.add(new BenchProblem(ref.relFile(), "", "malformed JSON, whole file skipped: "
                    + e.getMessage().lines().findFirst().orElse("")));
            return new FileResult(samples, problems, 0);
        }
        if (doc == null || !doc.isObject()) {
            problems.add(new BenchProblem(ref.relFile(), "", "not a JSON object keyed by question id, whole file skipped"));
            return new FileResult(samples, problems, 0);
        }
        if (doc.size() != ref.declaredCount()) {
            problems.add(new BenchProblem(ref.relFile(), "", "file name says " + ref.declaredCount()
                    + " questions but it holds " + doc.size() + " (all valid ones are loaded)"));
        }
        int tooMany = 0;
        Path folder = root.resolve(ref.folder());
        Map<String, DrawEntry> draws = ImageRule.of(Names.sourceOf(ref.task())) == ImageRule.MMMU_PRO
                ? mmmuProDraws(root) : Map.of();
        var it = doc.properties().iterator();
        while (it.hasNext()) {
            var e = it.next();
            String qid = e.getKey();
            if (!wanted.test(qid)) {
                continue;
            }
            List<String> issues = new ArrayList<>();
            BenchSample s = parseQuestion(folder, ref.task(), qid, e.getValue(), issues,
                    draws.get(ref.task() + "/" + qid));
            for (String issue : issues) {
                problems.add(new BenchProblem(ref.relFile(), qid, issue));
            }
            if (s == null && issues.stream().anyMatch(i -> i.startsWith(TOO_MANY))) {
                tooMany++;
            }
            if (s != null) {
                samples.add(s);
            }
        }
        return new FileResult(samples, problems, tooMany);
    }

    static final String TOO_MANY = "skipped: too many images";

    private static BenchSample parseQuestion(Path folder, String task, String qid, JsonNode v, List<String> issues,
                                             DrawEntry draw) {
        if (!v.isObject()) {
            issues.add("value is not an object {question, answer, distraction}");
            return null;
        }
        String question = text(v.get("question"));
        if (question == null || question.isBlank()) {
            issues.add("empty question");
        }
        List<String> candidates = new ArrayList<>();
        String answer = text(v.get("answer"));
        if (answer == null || answer.isBlank()) {
            issues.add("empty candidate: the answer is missing or blank");
        }
        candidates.add(answer);
        JsonNode dist = v.get("distraction");
        if (dist != null && !dist.isNull() && !dist.isArray()) {
            issues.add("distraction is not a list");
        } else if (dist != null) {
            for (int i = 0; i < dist.size(); i++) {
                String d = text(dist.get(i));
                if (d == null || d.isBlank()) {
                    issues.add("empty candidate: distraction #" + (i + 1) + " is missing or blank");
                }
                candidates.add(d);
            }
        }
        checkCandidates(candidates, issues);
        int imgNum = imageCount(v.get("img_num"), issues);
        if (!issues.isEmpty()) {
            return null;
        }
        String source = Names.sourceOf(task);
        String category = Names.categoryOf(task);
        String oriOptions = oriOptionsText(v.get("ori_options"));
        ImageRule rule = ImageRule.of(source);
        List<Path> images;
        int questionImages;
        if (rule == ImageRule.MMMU_PRO) {
            // The reference loads the question's tags in question order, then (image options only) each option's
            // tags in candidate order; the prompt rules reorder the option images by the sample's draw.
            images = new ArrayList<>(mmmuProImages(folder, category, qid, question));
            questionImages = images.size();
            if (hasImageTag(oriOptions)) {
                for (String c : candidates) {
                    images.addAll(mmmuProImages(folder, category, qid, c));
                }
            }
        } else {
            if (imgNum > MAX_IMAGES) {
                issues.add(TOO_MANY + " (" + imgNum + " > " + MAX_IMAGES + ")");
                return null;
            }
            images = rule.paths(folder, category, qid, imgNum);
            questionImages = images.size();
        }
        if (images.size() > MAX_IMAGES) {
            issues.add(TOO_MANY + " (" + images.size() + " > " + MAX_IMAGES + ")");
            return null;
        }
        List<String> missing = images.stream().filter(p -> !Files.isRegularFile(p))
                .map(p -> folder.relativize(p).toString()).distinct().toList();
        if (!missing.isEmpty()) {
            issues.add("missing image" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
            return null;
        }
        ReferenceDraws d = draw == null ? ReferenceDraws.NONE : draw.draws();
        BenchSample.Reference ref = new BenchSample.Reference(question, answer, candidates.subList(1, candidates.size()),
                oriOptions, imgNum, questionImages, draw == null ? -1 : draw.order(), d.answerFirst(),
                d.llavaAnswerFirst(), d.llavaDistractor());
        return new BenchSample(qid, task, source, category, question, images, candidates, ref);
    }

    /** The reference's own tag pattern, {@code re.findall(r"<image \\d+>", text)}: one space, lower case. */
    static final Pattern REFERENCE_IMAGE_TAG = Pattern.compile("<image \\d+>");

    /** Tags in text order, repeats kept (as {@code re.findall}). */
    static List<String> imageTags(String text) {
        List<String> tags = new ArrayList<>();
        if (text != null) {
            Matcher m = REFERENCE_IMAGE_TAG.matcher(text);
            while (m.find()) {
                tags.add(m.group());
            }
        }
        return tags;
    }

    static boolean hasImageTag(String text) {
        return text != null && REFERENCE_IMAGE_TAG.matcher(text).find();
    }

    /** {@code images/{category}/{q_id}_image_{k}.png} for each tag, as the reference names them. */
    private static List<Path> mmmuProImages(Path folder, String category, String qid, String text) {
        Path dir = folder.resolve("images").resolve(category);
        return imageTags(text).stream()
                .map(tag -> dir.resolve(qid + "_" + tag.substring(1, tag.length() - 1).replace(' ', '_') + ".png"))
                .toList();
    }

    /** ori_options as the reference's regex sees it: a string as is, anything else as its JSON text. */
    private static String oriOptionsText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** A sample's place in its source's reference run. */
    record DrawEntry(int order, ReferenceDraws draws) {
    }

    private record DrawTable(List<String> signature, Map<String, DrawEntry> byKey) {
    }

    private static final Map<Path, DrawTable> DRAW_TABLES = new ConcurrentHashMap<>();

    /**
     * Draw outcomes of every MMMU-Pro record of the root, keyed by {@code task/q_id}, replaying the reference's run
     * over the whole source (a shard's sample depends on every earlier record, so this always reads all MMMU-Pro
     * files; cached per root until a file changes). The reference globs the folder in OS order; RADAR replays it
     * with task files sorted by file name, then question ids in file order. Every record of a readable file draws,
     * including records RADAR skips, as the reference's loop reaches them before any check.
     */
    static Map<String, DrawEntry> mmmuProDraws(Path root) {
        List<TaskFileRef> files = new ArrayList<>(list(root).files().stream()
                .filter(f -> ImageRule.of(Names.sourceOf(f.task())) == ImageRule.MMMU_PRO).toList());
        files.sort(Comparator.comparing((TaskFileRef f) -> Path.of(f.relFile()).getFileName().toString())
                .thenComparing(TaskFileRef::relFile));
        List<String> signature = new ArrayList<>();
        for (TaskFileRef f : files) {
            Path p = f.path(root);
            try {
                signature.add(f.relFile() + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis());
            } catch (IOException e) {
                signature.add(f.relFile() + "|unreadable");
            }
        }
        DrawTable cached = DRAW_TABLES.get(root);
        if (cached != null && cached.signature().equals(signature)) {
            return cached.byKey();
        }
        List<String> keys = new ArrayList<>();
        List<ReferenceDraws.Input> inputs = new ArrayList<>();
        for (TaskFileRef f : files) {
            JsonNode doc;
            try {
                doc = JSON.readTree(f.path(root).toFile());
            } catch (IOException e) {
                continue; // reported by read(); the reference could not have run on it either
            }
            if (doc == null || !doc.isObject()) {
                continue;
            }
            var it = doc.properties().iterator();
            while (it.hasNext()) {
                var e = it.next();
                JsonNode v = e.getValue();
                JsonNode dist = v.path("distraction");
                keys.add(f.task() + "/" + e.getKey());
                inputs.add(new ReferenceDraws.Input(hasImageTag(oriOptionsText(v.get("ori_options"))),
                        dist.isArray() ? dist.size() : 0));
            }
        }
        List<ReferenceDraws> draws = ReferenceDraws.replay(inputs);
        Map<String, DrawEntry> byKey = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            byKey.put(keys.get(i), new DrawEntry(i, draws.get(i)));
        }
        DRAW_TABLES.put(root, new DrawTable(List.copyOf(signature), Map.copyOf(byKey)));
        return byKey;
    }

    /** Candidate rules shared with the importers: at least two, no answer among distractors, no duplicates. */
    static void checkCandidates(List<String> candidates, List<String> issues) {
        if (candidates.size() < 2) {
            issues.add("fewer than 2 candidates (answer + distraction)");
        }
        String answer = candidates.get(0);
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < candidates.size(); i++) {
            String d = candidates.get(i);
            if (d == null) {
                continue;
            }
            if (answer != null && d.strip().equals(answer.strip())) {
                issues.add("answer '" + answer.strip() + "' repeated among distractors");
            } else if (!seen.add(d.strip())) {
                issues.add("distractor '" + d.strip() + "' listed twice");
            }
        }
    }

    private static int imageCount(JsonNode n, List<String> issues) {
        if (n == null || n.isNull()) {
            return 1;
        }
        String t = n.asText().trim();
        try {
            int k = Integer.parseInt(t);
            if (k >= 0) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        issues.add("img_num '" + t + "' is not a non-negative integer");
        return 0;
    }

    /** Scalars as text (answers may be numbers in the JSON); null for missing, null or structured values. */
    private static String text(JsonNode n) {
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    /** Where each source keeps its images; see the M3-Bench layout in the package documentation. */
    enum ImageRule {
        MMBENCH, MMMU_PRO, SEEPHYS, OTHER;

        static ImageRule of(String source) {
            String n = source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
            return switch (n) {
                case "mmbench" -> MMBENCH;
                case "mmmupro" -> MMMU_PRO;
                case "seephys" -> SEEPHYS;
                default -> OTHER;
            };
        }

        List<Path> paths(Path folder, String category, String qid, int count) {
            Path images = folder.resolve("images");
            List<Path> out = new ArrayList<>();
            if (count == 0) {
                return out;
            }
            String id = qid.contains("--") ? qid.substring(0, qid.indexOf("--")) : qid;
            switch (this) {
                case MMBENCH -> out.add(images.resolve(category).resolve(qid + ".jpg"));
                case MMMU_PRO -> throw new IllegalStateException(
                        "MMMU-Pro images follow the record's <image k> tags, not img_num (mmmuProImages)");
                // The layout does not say whether SeePhys counts from 0 or 1: take whichever the files use.
                case SEEPHYS -> numbered(images, id, ".png", count, out);
                default -> {
                    if (count == 1) {
                        out.add(images.resolve(id + ".jpg"));
                    } else {
                        numbered(images, id, ".jpg", count, out);
                    }
                }
            }
            return out;
        }

        private static void numbered(Path images, String id, String ext, int count, List<Path> out) {
            int base = Files.isRegularFile(images.resolve(id + "_0" + ext)) ? 0 : 1;
            for (int i = 0; i < count; i++) {
                out.add(images.resolve(id + "_" + (base + i) + ext));
            }
        }
    }
}
