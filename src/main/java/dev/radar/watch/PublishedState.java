package dev.radar.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the watcher already handled, one line per folder ({@code folder<TAB>step}, or {@code folder<TAB>-} for a
 * folder reported as unparseable), appended after each publish. A crash between publish and append republishes
 * that one checkpoint on restart, which the planner recognises as a duplicate.
 */
public final class PublishedState {
    public static final String UNPARSEABLE = "-";

    private final Path file;
    private final Map<String, String> handled = new LinkedHashMap<>();

    public PublishedState(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0) {
                    handled.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
    }

    public synchronized Set<String> folders() {
        return Collections.unmodifiableSet(new HashSet<>(handled.keySet()));
    }

    public synchronized void record(String folder, String step) throws IOException {
        Files.writeString(file, folder + '\t' + step + '\n', StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        handled.put(folder, step);
    }
}
