package dev.radar.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The outcomes of the reference scripts' global {@code random} draws for one MMMU-Pro record.
 *
 * <p>Every reference script calls {@code random.seed(0)} once and then, for each MMMU-Pro record in processing
 * order (task files in glob order, then question ids in file order), draws:
 * <ul>
 *   <li>all three families: {@code random.random() > 0.5} when {@code ori_options} holds an {@code <image k>}
 *       tag (true: options listed answer first, letters A/B; false: distractions first, letters B/A);</li>
 *   <li>LLaVA-OneVision only: {@code random.sample(distraction, 1)} for a text-option record with more than one
 *       distraction (the one distraction kept).</li>
 * </ul>
 * Qwen2-VL and InternVL3.5 consume the stream identically, so they share {@link #answerFirst}; LLaVA's extra
 * {@code sample} calls shift its stream, hence the separate {@link #llavaAnswerFirst}. Records skipped later (more
 * than 12 images) still draw, as in the reference. The reference's glob order is whatever the OS lists; RADAR
 * replays it for task files sorted by file name (documented in models/README.md "Prompt rules").
 *
 * @param answerFirst      Qwen2-VL and InternVL3.5: the image-option draw (meaningless without image options)
 * @param llavaAnswerFirst LLaVA-OneVision: the image-option draw
 * @param llavaDistractor  LLaVA-OneVision: index into {@code distraction} that {@code random.sample} kept, or -1
 *                         when the record draws none (image options, or at most one distraction)
 */
public record ReferenceDraws(boolean answerFirst, boolean llavaAnswerFirst, int llavaDistractor) {

    /** What a record without draws carries. */
    public static final ReferenceDraws NONE = new ReferenceDraws(false, false, -1);

    /**
     * What decides a record's draws.
     *
     * @param optionsHaveImages {@code ori_options} matches {@code <image \d+>}
     * @param distractorCount   length of the record's {@code distraction} list
     */
    public record Input(boolean optionsHaveImages, int distractorCount) {
    }

    /** Replays one reference run ({@code random.seed(0)}) over the source's records in processing order. */
    public static List<ReferenceDraws> replay(List<Input> recordsInOrder) {
        PythonRandom imageOnlyStream = new PythonRandom(0); // Qwen2-VL, InternVL3.5
        PythonRandom llavaStream = new PythonRandom(0);
        List<ReferenceDraws> out = new ArrayList<>(recordsInOrder.size());
        for (Input in : recordsInOrder) {
            if (in.optionsHaveImages()) {
                boolean first = imageOnlyStream.random() > 0.5;
                boolean llavaFirst = llavaStream.random() > 0.5;
                out.add(new ReferenceDraws(first, llavaFirst, -1));
            } else if (in.distractorCount() > 1) {
                out.add(new ReferenceDraws(false, false, llavaStream.sampleOneIndex(in.distractorCount())));
            } else {
                out.add(NONE);
            }
        }
        return out;
    }
}
