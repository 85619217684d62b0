package dev.radar.watch;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointScannerTest {
    @TempDir
    Path dir;

    private WatchConfig config(Map<String, String> extra) {
        return WatchConfig.from(RadarProperties.of(Map.of("watch.dir", dir.toString(), "watch.run", "r")).with(extra));
    }

    private Path folder(String name, String... files) throws Exception {
        Path f = Files.createDirectories(dir.resolve(name));
        for (String file : files) {
            Files.writeString(f.resolve(file), "x".repeat(10));
        }
        return f;
    }

    private static List<String> names(List<CheckpointScanner.Found> found) {
        return found.stream().map(CheckpointScanner.Found::folder).toList();
    }

    @Test
    void stepComesFromTheLastDigitsOfTheNameByDefault() {
        CheckpointScanner s = new CheckpointScanner(config(Map.of()));
        assertEquals(OptionalLong.of(1000), s.step("step-001000"));
        assertEquals(OptionalLong.of(1000), s.step("checkpoint-1000"));
        assertEquals(OptionalLong.of(2500), s.step("run7-step2500.ckpt"));
        assertEquals(OptionalLong.empty(), s.step("latest"));
        assertEquals(OptionalLong.empty(), s.step("step-99999999999999999999999"));
        CheckpointScanner custom = new CheckpointScanner(config(Map.of("watch.step.pattern", "^iter_(\\d+)_")));
        assertEquals(OptionalLong.of(42), custom.step("iter_42_v2"));
        assertEquals(OptionalLong.empty(), custom.step("step-42"));
    }

    @Test
    void markerMakesAFolderCompleteAtOnceAModelFileAfterTwoPollsWithTheSameSize() throws Exception {
        CheckpointScanner s = new CheckpointScanner(config(Map.of()));
        folder("step-000100", "model.pt", "radar-ready");
        folder("step-000200", "model.pt", "COMPLETE");
        Path writing = folder("step-000300", "model.pt");
        folder("step-000400", "tokenizer.json");  // no model, no marker: never complete
        folder("step-000450", "vision.pt", "language.pt");  // a contract-2 package: complete (its size is stable)
        folder(".tmp-000500", "radar-ready");      // hidden: a trainer's temporary folder
        Files.writeString(dir.resolve("step-000600"), "a file, not a folder");

        assertEquals(List.of("step-000100", "step-000200"), names(s.scan(Set.of())));
        // Still growing between polls: not yet.
        Files.writeString(writing.resolve("shard-1.bin"), "more bytes");
        assertEquals(List.of("step-000100", "step-000200", "step-000450"), names(s.scan(Set.of())));
        // Stable since the previous poll: complete.
        assertEquals(List.of("step-000100", "step-000200", "step-000300", "step-000450"), names(s.scan(Set.of())));
        assertEquals(List.of("step-000300", "step-000450"), names(s.scan(Set.of("step-000100", "step-000200"))));
    }

    @Test
    void configurableMarkerAndUnparseableFoldersAreReturnedNotDropped() throws Exception {
        CheckpointScanner s = new CheckpointScanner(config(Map.of("watch.marker", "DONE")));
        folder("step-000100", "radar-ready");
        folder("final", "DONE");
        folder("step-000200", "DONE");
        List<CheckpointScanner.Found> found = s.scan(Set.of());
        assertEquals(List.of("final", "step-000200"), names(found));
        assertTrue(found.get(0).step().isEmpty());
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        Path file = dir.resolve(".radar-published");
        PublishedState state = new PublishedState(file);
        state.record("step-000100", "100");
        state.record("latest", PublishedState.UNPARSEABLE);
        assertEquals(Set.of("step-000100", "latest"), new PublishedState(file).folders());
    }

    @Test
    void configValidation() {
        assertThrows(RadarException.class, () -> WatchConfig.from(RadarProperties.of(Map.of("watch.dir", "/tmp"))));
        assertThrows(RadarException.class, () -> config(Map.of("watch.step.pattern", "\\d+")));
        assertThrows(RadarException.class, () -> config(Map.of("watch.step.pattern", "(")));
        assertThrows(RadarException.class, () -> config(Map.of("watch.poll.seconds", "0")));
        WatchConfig c = config(Map.of());
        assertEquals(List.of("radar-ready", "COMPLETE"), c.markers());
        assertEquals(".radar-published", c.stateFile());
    }
}
