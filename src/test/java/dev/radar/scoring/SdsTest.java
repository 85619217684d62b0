package dev.radar.scoring;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdsTest {

    @Test
    void workedExampleFromTheDesign() {
        // Token logits whose means are 2.0, 1.0 and 0.5.
        Sds.Result r = Sds.score(List.of(new double[]{1.0, 3.0}, new double[]{1.0}, new double[]{0.0, 0.5, 1.0}), null);
        assertArrayEquals(new double[]{2.0, 1.0, 0.5}, r.meanLogits(), 1e-12);
        assertArrayEquals(new double[]{0.6285, 0.2312, 0.1402}, r.probabilities(), 1e-4);
        assertEquals(0.6285, r.sds(), 1e-4);
        assertTrue(r.correct());
        assertNull(r.llCorrect());
        assertNull(r.llNormCorrect());
    }

    @Test
    void tieWithTheCorrectCandidateCountsCorrect() {
        Sds.Result r = Sds.score(List.of(new double[]{1.0}, new double[]{1.0}, new double[]{0.0}), null);
        assertTrue(r.correct());
        assertEquals(r.probabilities()[0], r.probabilities()[1], 0);
        Sds.Result wrong = Sds.score(List.of(new double[]{1.0}, new double[]{1.5}), null);
        assertFalse(wrong.correct());
        assertEquals(1 / (1 + Math.exp(0.5)), wrong.sds(), 1e-12);
    }

    @Test
    void logLikelihoodAccuraciesUseLogProbabilitiesNotRawLogits() {
        // Candidate 0: z=[2,2] lse=[3,3] -> ll=-2, norm=-1. Candidate 1: z=[1] lse=[1.5] -> ll=-0.5, norm=-0.5.
        // Raw-logit means: 2 vs 1 -> SDS correct; log-likelihood prefers candidate 1.
        Sds.Result r = Sds.score(List.of(new double[]{2, 2}, new double[]{1}),
                List.of(new double[]{3, 3}, new double[]{1.5}));
        assertTrue(r.correct());
        assertFalse(r.llCorrect());
        assertFalse(r.llNormCorrect());
        // Length normalisation can flip it: candidate 0 ll=-1.2 over 4 tokens (-0.3), candidate 1 ll=-1.0 over 1.
        Sds.Result n = Sds.score(List.of(new double[]{0, 0, 0, 0}, new double[]{0}),
                List.of(new double[]{0.3, 0.3, 0.3, 0.3}, new double[]{1.0}));
        assertFalse(n.llCorrect());
        assertTrue(n.llNormCorrect());
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        assertArrayEquals(new double[]{0.5, 0.5}, Sds.softmax(new double[]{1000, 1000}), 1e-12);
        assertEquals(0, Sds.firstArgmax(new double[]{3, 3, 1}));
        assertEquals(2, Sds.firstArgmax(new double[]{1, 2, 3}));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Sds.score(List.of(new double[]{1}), null));
        assertThrows(IllegalArgumentException.class, () -> Sds.score(List.of(new double[]{1}, new double[0]), null));
        assertThrows(IllegalArgumentException.class, () -> Sds.score(List.of(new double[]{1}, new double[]{Double.NaN}), null));
        assertThrows(IllegalArgumentException.class, () -> Sds.score(List.of(new double[]{1}, new double[]{1}),
                List.of(new double[]{1}, new double[]{1, 2})));
    }
}
