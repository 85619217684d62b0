package dev.radar.scoring;

import dev.radar.bench.BenchSample;
import dev.radar.bench.SyntheticBenchmark;
import dev.radar.scoring.djl.ScoringEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Scorer#prepare} then {@link Scorer#score(Scorer.PreparedShard, ProgressListener)} on the real tiny model gives
 * exactly what {@link Scorer#score(List, ProgressListener)} gives: preparing ahead changes when, never what.
 */
class PreparedShardTest {

    @TempDir
    static Path dir;
    static Scorer scorer;
    static List<BenchSample> samples;

    @BeforeAll
    static void open() {
        scorer = ScoringEngine.open(TinyModel.latestCheckpoint(), ScoringConfig.defaults());
        samples = new ArrayList<>(SyntheticBenchmark.generate(dir.resolve("bench"), 3, 5).samples());
        // A bad sample among good ones: prepared as a failure, reported in its place.
        samples.add(3, TinyModel.sample("bad", "color", "What color?", List.of(dir.resolve("missing.png")), "red", "blue"));
    }

    @AfterAll
    static void close() {
        scorer.close();
    }

    @Test
    void preparedAheadScoresAreBitIdenticalToScoringTheSamples() {
        List<SampleResult> direct = scorer.score(samples, ProgressListener.NONE);
        Scorer.PreparedShard prepared = scorer.prepare(samples);
        assertEquals(samples, prepared.samples());
        List<SampleResult> ahead = scorer.score(prepared, ProgressListener.NONE);

        assertEquals(direct.size(), ahead.size());
        assertTrue(direct.stream().filter(SampleResult::success).count() >= samples.size() - 1, "tiny model scores");
        for (int i = 0; i < direct.size(); i++) {
            SampleResult a = direct.get(i);
            SampleResult b = ahead.get(i);
            assertEquals(a.key(), b.key(), "same order");
            assertEquals(a.failure(), b.failure(), a.key());
            assertEquals(Double.doubleToLongBits(a.sds()), Double.doubleToLongBits(b.sds()), a.key() + " sds bits");
            assertEquals(a.correct(), b.correct());
            assertArrayEquals(a.meanLogits(), b.meanLogits(), 0.0, a.key());
            assertArrayEquals(a.probabilities(), b.probabilities(), 0.0, a.key());
            assertArrayEquals(a.tokenCounts(), b.tokenCounts(), a.key());
            assertEquals(a.tokenLogits() == null, b.tokenLogits() == null);
            if (a.tokenLogits() != null) {
                for (int c = 0; c < a.tokenLogits().size(); c++) {
                    assertArrayEquals(a.tokenLogits().get(c), b.tokenLogits().get(c), 0.0, a.key() + " candidate " + c);
                }
            }
        }
        assertTrue(ahead.get(3).failure().contains("missing.png"), ahead.get(3).failure());
    }

    @Test
    void samplesPreparedByAnotherScorerAreRefused() {
        Scorer.PreparedShard prepared = scorer.prepare(samples.subList(0, 2));
        try (Scorer other = ScoringEngine.open(TinyModel.latestCheckpoint(), ScoringConfig.defaults())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> other.score(prepared, ProgressListener.NONE));
            assertTrue(e.getMessage().contains("another scorer"), e.getMessage());
        }
    }
}
