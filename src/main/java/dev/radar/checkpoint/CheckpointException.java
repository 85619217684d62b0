package dev.radar.checkpoint;

import dev.radar.RadarException;

/** A checkpoint that cannot be scored, with the short reason code a dead letter and the API show. */
public final class CheckpointException extends RadarException {
    private final String reason;

    public CheckpointException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public CheckpointException(String reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    /** One of the reason codes of {@link CheckpointValidator}. */
    public String reason() {
        return reason;
    }
}
