package dev.radar.checkpoint;

import dev.radar.events.CheckpointSaved;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointValidatorTest {

    private final CheckpointValidator validator = new CheckpointValidator(List.of(Path.of("/data/ckpt")));

    private static CheckpointSaved.Builder event() {
        return CheckpointSaved.newBuilder().setRunId("run").setStep(100).setCheckpointUri("file:///data/ckpt/run/100");
    }

    private String reason(CheckpointSaved e) {
        return validator.check(e).map(CheckpointValidator.Rejection::reason).orElse("ok");
    }

    @Test
    void acceptsFileUrisAndPlainPathsUnderAnAllowedRoot() {
        assertEquals("ok", reason(event().build()));
        assertEquals("ok", reason(event().setCheckpointUri("/data/ckpt/run/200").build()));
    }

    @Test
    void rejectsEachKindOfBadEventWithItsReason() {
        assertEquals("missing-field", reason(event().setRunId(" ").build()));
        assertEquals("invalid-step", reason(event().setStep(-1).build()));
        assertEquals("missing-field", reason(event().setCheckpointUri("").build()));
        assertEquals("invalid-uri", reason(event().setCheckpointUri("file://[bad").build()));
        assertEquals("invalid-uri", reason(event().setCheckpointUri("s3://bucket/ckpt").build()));
        assertEquals("invalid-tokens", reason(event().setTokensSeen(-3L).build()));
    }

    @Test
    void rejectsPathsOutsideTheAllowedRootsIncludingTraversal() {
        assertEquals("uri-outside-allowed-roots", reason(event().setCheckpointUri("/etc/passwd").build()));
        assertEquals("uri-outside-allowed-roots", reason(event().setCheckpointUri("/data/ckpt/../../etc").build()));
        assertEquals("uri-outside-allowed-roots", reason(event().setCheckpointUri("/data/ckpt-other/x").build()));
    }

    @Test
    void runIdsAreAtMost128CharactersOfAKnownCharset() {
        assertEquals("ok", reason(event().setRunId("a".repeat(128)).build()));
        assertEquals("invalid-run-id", reason(event().setRunId("a".repeat(129)).build()));
        assertEquals("ok", reason(event().setRunId("team/run-7:v1.2_b").build()));
        assertEquals("invalid-run-id", reason(event().setRunId("run 7").build()));
        assertEquals("invalid-run-id", reason(event().setRunId("run\n7").build()));
        assertEquals("invalid-run-id", reason(event().setRunId("r\u00e9sum\u00e9").build()));
    }

    @Test
    void noRootsMeansAnyLocalPath() {
        assertTrue(new CheckpointValidator(List.of()).check(event().setCheckpointUri("/anywhere").build()).isEmpty());
    }
}
