package dev.radar.scoring;

import dev.radar.RadarException;
import dev.radar.config.RadarProperties;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScoringConfigTest {

    @Test
    void defaultsAndKeys() {
        ScoringConfig d = ScoringConfig.defaults();
        assertEquals("cpu", d.device());
        assertEquals("auto", d.dtype());
        assertEquals(ScoringConfig.Strategy.PACKED, d.strategy());
        assertEquals(8192, d.batchTokens());
        ScoringConfig c = ScoringConfig.from(RadarProperties.of(Map.of("scoring.device", "gpu:1", "scoring.dtype", "BFloat16",
                "scoring.strategy", "per_candidate", "scoring.batch.tokens", "1000", "scoring.prefetch", "3",
                "scoring.prep.threads", "2")));
        assertEquals(new ScoringConfig("gpu:1", "bfloat16", ScoringConfig.Strategy.PER_CANDIDATE, 1000, 3, 2), c);
        assertEquals(java.util.Optional.empty(), c.architectures().root());
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("/radar/arch")), ScoringConfig.from(RadarProperties.of(
                Map.of("scoring.architectures", "/radar/arch"))).architectures().root());
    }

    @Test
    void badValuesAreTypedErrors() {
        assertThrows(RadarException.class, () -> ScoringConfig.from(RadarProperties.of(Map.of("scoring.strategy", "fast"))));
        assertThrows(RadarException.class, () -> ScoringConfig.from(RadarProperties.of(Map.of("scoring.dtype", "int8"))));
        assertThrows(RadarException.class, () -> ScoringConfig.from(RadarProperties.of(Map.of("scoring.batch.tokens", "0"))));
    }
}
