package dev.radar.cli;

import dev.radar.app.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Watch a folder for checkpoint sub-folders and publish a CheckpointSaved for each complete one.",
                "Complete = a marker file exists (default radar-ready or COMPLETE), or model.pt exists and the folder's",
                "size is stable over two polls. The step comes from the folder name (step-001000, checkpoint-1000).",
                "Published folders are remembered in DIR/.radar-published: a restart publishes nothing twice."})
public final class WatchCommand implements Callable<Integer> {

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder whose sub-folders are checkpoints (key watch.dir).")
    Path dir;

    @Option(names = "--run", required = true, description = "Training run id of the events (key watch.run).")
    String runId;

    @Option(names = "--marker", paramLabel = "NAME", description = "Marker file name(s), comma-separated (key watch.marker).")
    String marker;

    @Option(names = "--step-pattern", paramLabel = "REGEX", description = "Regex on the folder name, group 1 = step (key watch.step.pattern).")
    String stepPattern;

    @Option(names = "--poll", paramLabel = "SECONDS", description = "Poll interval (key watch.poll.seconds; default 10).")
    Integer pollSeconds;

    @Mixin
    KafkaOption kafkaOption;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        Map<String, String> explicit = new LinkedHashMap<>();
        explicit.put("watch.dir", dir.toString());
        explicit.put("watch.run", runId);
        explicit.put("watch.marker", marker);
        explicit.put("watch.step.pattern", stepPattern);
        explicit.put("watch.poll.seconds", pollSeconds == null ? null : pollSeconds.toString());
        var props = kafkaOption.applyTo(config.load(explicit));
        return Foreground.run(props, Set.of(Role.WATCH));
    }
}
