package dev.radar.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One benchmark question as the scoring engine sees it.
 *
 * @param id         question id, unique within its task
 * @param task       task name, {@code {Source}_{category}} of the M3-Bench file it came from
 * @param source     benchmark source (e.g. {@code MMBench}); its categories are macro-averaged
 * @param category   category within the source (may equal the task's suffix)
 * @param question   question text; the candidates are NOT listed in it (SDS scores each as a continuation),
 *                   except where the source's options are images (MMMU-Pro), which are listed
 * @param images     image files in prompt order (zero or more)
 * @param candidates candidate answers; index 0 is the correct one, the rest distractors
 */
public record BenchSample(String id, String task, String source, String category, String question,
                          List<Path> images, List<String> candidates) {

    public BenchSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        source = source == null ? "" : source;
        category = category == null ? "" : category;
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
        candidates = List.copyOf(candidates);
    }

    /** Globally unique key of this sample within a benchmark version: {@code task/id}. */
    public String key() {
        return task + "/" + id;
    }
}
