package dev.radar.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What an importer wrote.
 *
 * @param files        task files written
 * @param countsByTask questions written per task
 * @param skipped      items left out by design (e.g. MathVista free-form questions), not errors
 * @param problems     items that could not be imported, each with the reason
 */
public record ImportReport(List<Path> files, Map<String, Integer> countsByTask, int skipped,
                           List<BenchProblem> problems) {
    public ImportReport {
        files = List.copyOf(files);
        countsByTask = Map.copyOf(countsByTask);
        problems = List.copyOf(problems);
    }
}
