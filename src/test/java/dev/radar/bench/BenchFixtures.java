package dev.radar.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Small hand-written benchmarks for the tests. */
final class BenchFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private BenchFixtures() {
    }

    static ObjectNode q(String question, String answer, String... distraction) {
        ObjectNode o = JSON.createObjectNode();
        o.put("question", question);
        o.put("answer", answer);
        for (String d : distraction) {
            o.withArray("distraction").add(d);
        }
        if (distraction.length == 0) {
            o.putArray("distraction");
        }
        return o;
    }

    /** Writes {@code root/folder/{task}_{N}_pretrained_mllm_eval.json} with N = number of questions. */
    static Path task(Path root, String folder, String task, Map<String, ObjectNode> questions) {
        ObjectNode doc = JSON.createObjectNode();
        questions.forEach(doc::set);
        Path f = root.resolve(folder).resolve(task + "_" + questions.size() + "_pretrained_mllm_eval.json");
        try {
            Files.createDirectories(f.getParent());
            JSON.writeValue(f.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    static Path image(Path root, String relPath) {
        return image(root, relPath, "img:" + relPath);
    }

    static Path image(Path root, String relPath, String content) {
        Path p = root.resolve(relPath);
        try {
            Files.createDirectories(p.getParent());
            Files.write(p, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Sets every file's mtime an hour back, as for a benchmark unpacked long ago (the version cache trusts it). */
    static void age(Path root) {
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, old);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> keys(List<BenchSample> samples) {
        return samples.stream().map(BenchSample::key).toList();
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
