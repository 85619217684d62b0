package dev.radar.watch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * Finds complete checkpoint folders in the watched folder. A folder is complete when one of the marker files
 * exists, or when the model file exists and the folder's total size did not change since the previous poll (a
 * trainer still writing shards changes it). Not thread-safe: one poller calls {@link #scan}.
 */
public final class CheckpointScanner {

    /** A sub-folder that is complete; {@code step} is empty when the name does not match the step pattern. */
    public record Found(String folder, Path path, OptionalLong step) {
    }

    private final WatchConfig config;
    private final Map<String, Long> lastSize = new HashMap<>();

    public CheckpointScanner(WatchConfig config) {
        this.config = config;
    }

    /** Complete folders not in {@code skip}, sorted by name. Hidden entries and plain files are ignored. */
    public List<Found> scan(Set<String> skip) throws IOException {
        List<Found> out = new ArrayList<>();
        List<Path> folders;
        try (Stream<Path> s = Files.list(config.dir())) {
            folders = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        for (Path folder : folders) {
            String name = folder.getFileName().toString();
            if (skip.contains(name)) {
                lastSize.remove(name);  // handled: stop tracking its size
            } else if (complete(name, folder)) {
                out.add(new Found(name, folder, step(name)));  // stays complete if publishing fails and is retried
            }
        }
        return out;
    }

    public OptionalLong step(String folderName) {
        Matcher m = config.stepPattern().matcher(folderName);
        if (!m.find() || m.group(1) == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();  // not digits, or beyond a long
        }
    }

    private boolean complete(String name, Path folder) throws IOException {
        for (String marker : config.markers()) {
            if (Files.exists(folder.resolve(marker))) {
                return true;
            }
        }
        if (config.modelFiles().stream().noneMatch(f -> Files.isRegularFile(folder.resolve(f)))) {
            return false;
        }
        long size = totalSize(folder);
        Long previous = lastSize.put(name, size);
        return previous != null && previous == size;
    }

    private static long totalSize(Path folder) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (UncheckedIOException e) {
            throw e.getCause();  // a file vanished mid-walk: retried next poll
        }
    }
}
