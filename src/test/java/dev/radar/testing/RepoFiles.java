package dev.radar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Files of the repository (Maven runs tests in the project folder; surefire also sets {@code basedir}). */
public final class RepoFiles {
    private RepoFiles() {
    }

    public static Path root() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }

    /** Regular files directly in {@code folder} whose names end with one of {@code suffixes}, sorted. */
    public static List<Path> list(String folder, String... suffixes) {
        try (Stream<Path> s = Files.list(path(folder))) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(x -> p.getFileName().toString().endsWith(x)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
