package dev.radar.aggregate;

/**
 * One point of an ability curve: the ability's scores at one completed checkpoint.
 *
 * @param step       optimizer step of the checkpoint
 * @param tokensSeen training tokens seen at that step, null when unknown
 * @param sds        mean SDS (macro over the ability's tasks)
 * @param accuracy   mean accuracy (macro over the ability's tasks)
 * @param stderr     standard error of {@code sds}
 */
public record CurvePoint(long step, Long tokensSeen, double sds, double accuracy, double stderr) {
}
