package dev.radar.watch;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Folder watcher settings.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>watch.dir</td><td>(required)</td><td>folder whose sub-folders are checkpoints</td></tr>
 *   <tr><td>watch.run</td><td>(required)</td><td>run id of the published CheckpointSaved events</td></tr>
 *   <tr><td>watch.marker</td><td>radar-ready,COMPLETE</td><td>file names (comma-separated) whose presence marks a checkpoint complete</td></tr>
 *   <tr><td>watch.model.file</td><td>model.pt,language.pt</td><td>without a marker: complete once one of these files (comma-separated; the module of a contract-1 or a contract-2 package) exists and the folder's size is stable over two polls</td></tr>
 *   <tr><td>watch.step.pattern</td><td>(\d+)\D*$</td><td>regex on the folder name; group 1 is the step (default: the last run of digits, e.g. step-001000, checkpoint-1000)</td></tr>
 *   <tr><td>watch.poll.seconds</td><td>10</td><td>poll interval</td></tr>
 *   <tr><td>watch.state.file</td><td>.radar-published</td><td>file in watch.dir recording what was published, so a restart does not republish</td></tr>
 *   <tr><td>watch.benchmark</td><td>m3-bench</td><td>benchmark of the published events</td></tr>
 *   <tr><td>watch.format</td><td>radar-torchscript</td><td>model package format of the published events</td></tr>
 * </table>
 */
public record WatchConfig(Path dir, String runId, List<String> markers, List<String> modelFiles, Pattern stepPattern,
                          Duration pollInterval, String stateFile, String benchmark, String modelFormat) {

    public static final String DEFAULT_STEP_PATTERN = "(\\d+)\\D*$";

    public static WatchConfig from(RadarProperties p) {
        List<String> markers = names(p.get("watch.marker", "radar-ready,COMPLETE"));
        List<String> modelFiles = names(p.get("watch.model.file", "model.pt,language.pt"));
        String regex = p.get("watch.step.pattern", DEFAULT_STEP_PATTERN);
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new RadarException("watch.step.pattern is not a valid regex: " + e.getMessage(), e);
        }
        if (pattern.matcher("").groupCount() < 1) {
            throw new RadarException("watch.step.pattern needs a capturing group for the step: " + regex);
        }
        long poll = p.getLong("watch.poll.seconds", 10);
        if (poll < 1) {
            throw new RadarException("watch.poll.seconds must be >= 1, was " + poll);
        }
        return new WatchConfig(Path.of(p.require("watch.dir")).toAbsolutePath().normalize(), p.require("watch.run"),
                markers, modelFiles, pattern, Duration.ofSeconds(poll),
                p.get("watch.state.file", ".radar-published"), p.get("watch.benchmark", "m3-bench"),
                p.get("watch.format", "radar-torchscript"));
    }

    public WatchConfig withPollInterval(Duration interval) {
        return new WatchConfig(dir, runId, markers, modelFiles, stepPattern, interval, stateFile, benchmark, modelFormat);
    }

    private static List<String> names(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
