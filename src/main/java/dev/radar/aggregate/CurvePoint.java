package dev.radar.aggregate;

/**
 * One point of an ability curve: the ability's scores at one completed checkpoint.
 *
 * @param step       optimizer step of the checkpoint
 * @param tokensSeen training tokens seen at that step, null when unknown
 * @param level      {@code ability} (perception, reasoning) or {@code fine}
 * @param sds        mean SDS (macro over the ability's tasks)
 * @param accuracy   mean accuracy (macro over the ability's tasks)
 * @param stderr     standard error of {@code sds}, from the per-sample variance
 * @param samples    samples scored for the ability at this checkpoint (-1: unknown, a curve stored before it was kept)
 * @param chance     chance level of the ability (mean 1/K over its tasks); NaN when unknown
 */
public record CurvePoint(long step, Long tokensSeen, String level, double sds, double accuracy, double stderr,
                         int samples, double chance) {
}
