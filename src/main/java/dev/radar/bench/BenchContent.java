package dev.radar.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a full read of a benchmark root yields, before any taxonomy is applied. */
record BenchContent(Path root, List<BenchSample> samples, List<BenchProblem> problems, int skippedTooManyImages,
                    Map<String, M3BenchReader.TaskFileRef> files, String version, int hashedImages) {

    static BenchContent read(Path root) {
        Path r = M3BenchReader.checkRoot(root);
        long startedAt = VersionCache.now();
        // Fingerprint before reading: a file changed while we read makes the cached version stale, not wrong.
        VersionCache.Fingerprint before = VersionCache.fingerprint(r);
        M3BenchReader.Listing listing = M3BenchReader.list(r);
        List<BenchSample> samples = new ArrayList<>();
        List<BenchProblem> problems = new ArrayList<>(listing.problems());
        Map<String, M3BenchReader.TaskFileRef> files = new TreeMap<>();
        int tooMany = 0;
        for (M3BenchReader.TaskFileRef ref : listing.files()) {
            M3BenchReader.FileResult fr = M3BenchReader.read(r, ref, id -> true);
            samples.addAll(fr.samples());
            problems.addAll(fr.problems());
            tooMany += fr.tooManyImages();
            files.put(ref.task(), ref);
        }
        samples.sort(Names.SAMPLE_ORDER);
        problems.sort((a, b) -> a.file().equals(b.file())
                ? Names.compareNatural(a.questionId(), b.questionId()) : a.file().compareTo(b.file()));
        VersionCache cache = VersionCache.open(r);
        String version = cache.version(samples);
        cache.save(before, version, startedAt);
        return new BenchContent(r, List.copyOf(samples), List.copyOf(problems), tooMany, Map.copyOf(files), version,
                cache.hashedFiles());
    }
}
