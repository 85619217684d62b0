package dev.radar.bench;

import java.util.Objects;

/**
 * A defect found while reading a benchmark: the question (or whole file) it concerns was skipped, and
 * is listed here so that nothing disappears silently.
 *
 * @param file       path of the task file, relative to the benchmark root (or the imported file)
 * @param questionId question id, or the empty string when the problem concerns the whole file
 * @param message    what is wrong, in words a user can act on
 */
public record BenchProblem(String file, String questionId, String message) {
    public BenchProblem {
        Objects.requireNonNull(file, "file");
        questionId = questionId == null ? "" : questionId;
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return file + (questionId.isEmpty() ? "" : " [" + questionId + "]") + ": " + message;
    }
}
