package dev.radar.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Collects imported questions per category, writes their images as they come and the task files at the end. */
final class ImportSink {
    private final Path folder;
    private final String source;
    private final String inputName;
    private final Map<String, List<M3BenchWriter.Question>> byCategory = new TreeMap<>();
    private final List<BenchProblem> problems = new ArrayList<>();
    private int skipped;

    /**
     * @param folder    source folder in the benchmark root, e.g. {@code root/general_visual_question_answering}
     * @param source    source name, the task prefix, e.g. {@code MMBench}
     * @param inputName file named in problems
     */
    ImportSink(Path folder, String source, String inputName) {
        this.folder = folder;
        this.source = source;
        this.inputName = inputName;
    }

    Path folder() {
        return folder;
    }

    void problem(String id, String message) {
        problems.add(new BenchProblem(inputName, id, message));
    }

    void skip() {
        skipped++;
    }

    /**
     * Validates with the reader's candidate rules, then writes the image (any format, stored as JPEG) to
     * {@code imageFile} and keeps the question; a problem instead when anything is wrong.
     */
    void add(String category, String id, String question, String answer, List<String> distraction,
             byte[] image, Path imageFile) {
        List<String> issues = new ArrayList<>();
        if (question == null || question.isBlank()) {
            issues.add("empty question");
        }
        List<String> candidates = new ArrayList<>();
        candidates.add(answer);
        candidates.addAll(distraction);
        if (candidates.stream().anyMatch(c -> c == null || c.isBlank())) {
            issues.add("empty candidate");
        } else {
            M3BenchReader.checkCandidates(candidates, issues);
        }
        byte[] jpeg = null;
        if (issues.isEmpty()) {
            try {
                jpeg = M3BenchWriter.asJpeg(image);
            } catch (IOException e) {
                issues.add("unreadable image: " + e.getMessage());
            }
        }
        if (!issues.isEmpty()) {
            issues.forEach(i -> problem(id, i));
            return;
        }
        M3BenchWriter.writeBytes(imageFile, jpeg);
        byCategory.computeIfAbsent(category, c -> new ArrayList<>())
                .add(new M3BenchWriter.Question(id, question, answer, List.copyOf(distraction), 1));
    }

    ImportReport finish() {
        List<Path> files = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        byCategory.forEach((category, qs) -> {
            qs.sort((a, b) -> Names.compareNatural(a.id(), b.id()));
            String task = Names.task(source, category);
            files.add(M3BenchWriter.writeTask(folder, task, qs));
            counts.put(task, qs.size());
        });
        return new ImportReport(files, counts, skipped, problems);
    }
}
