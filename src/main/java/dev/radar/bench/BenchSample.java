package dev.radar.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One benchmark question as the scoring engine sees it.
 *
 * <p>The question, candidates and images are the record's own (for MMMU-Pro: the raw question with its
 * {@code <image k>} tags and the raw options); how a family turns them into a prompt, including MMMU-Pro's
 * inline images and shuffled image options, is {@code dev.radar.scoring.prompt.PromptRules}' job, which reads
 * {@link #reference()} for what the reference scripts use beyond them.
 *
 * @param id         question id, unique within its task
 * @param task       task name, {@code {Source}_{category}} of the M3-Bench file it came from
 * @param source     benchmark source (e.g. {@code MMBench}); its categories are macro-averaged
 * @param category   category within the source (may equal the task's suffix)
 * @param question   question text as the record holds it; the candidates are NOT listed in it (SDS scores each as a
 *                   continuation; MMMU-Pro image options are listed by the prompt rules)
 * @param images     image files the sample uses: for MMMU-Pro the question's {@code <image k>} tags in question
 *                   order (repeats kept, as the reference loads them), then, where the options are images, each
 *                   option's tags in candidate order (answer first); for other sources in the reference's order
 * @param candidates candidate answers; index 0 is the correct one, the rest distractors
 * @param reference  what the reference scripts read from the record, or null for samples that did not come from an
 *                   M3-Bench file (synthetic and test samples; the prompt rules then use the fields above)
 */
public record BenchSample(String id, String task, String source, String category, String question,
                          List<Path> images, List<String> candidates, Reference reference) {

    public BenchSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        source = source == null ? "" : source;
        category = category == null ? "" : category;
        Objects.requireNonNull(question, "question");
        images = List.copyOf(images);
        candidates = List.copyOf(candidates);
    }

    /** A sample without reference fields (synthetic and test samples). */
    public BenchSample(String id, String task, String source, String category, String question,
                       List<Path> images, List<String> candidates) {
        this(id, task, source, category, question, images, candidates, null);
    }

    /**
     * The record's fields as the reference scripts read them, and the sample's place in the reference's random
     * stream.
     *
     * @param question          raw {@code question} (MMMU-Pro: with its {@code <image k>} tags)
     * @param answer            raw {@code answer}
     * @param distraction       raw {@code distraction}, in file order
     * @param oriOptions        {@code ori_options} as text (a JSON list is kept as its JSON text), or null
     * @param imgNum            {@code img_num} (1 when absent)
     * @param questionImages    how many of {@link #images()} the question's tags name; the rest belong to options
     * @param order             position in its source's reference processing order (MMMU-Pro: task files sorted by
     *                          name, then question ids in file order, counting every record); -1 for other sources
     * @param answerFirst       Qwen2-VL / InternVL3.5 image-option draw ({@code random.random() > 0.5})
     * @param llavaAnswerFirst  LLaVA-OneVision image-option draw
     * @param llavaDistractor   LLaVA-OneVision {@code random.sample(distraction, 1)} pick, -1 when none is drawn
     */
    public record Reference(String question, String answer, List<String> distraction, String oriOptions, int imgNum,
                            int questionImages, int order, boolean answerFirst, boolean llavaAnswerFirst,
                            int llavaDistractor) {
        public Reference {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(answer, "answer");
            distraction = List.copyOf(distraction);
        }
    }

    /** Globally unique key of this sample within a benchmark version: {@code task/id}. */
    public String key() {
        return task + "/" + id;
    }
}
