package dev.radar.scoring;

import dev.radar.RadarException;

/** Scoring failed as a whole (e.g. the model forward threw); per-sample problems become failed results instead. */
public class ScoringException extends RadarException {
    public ScoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
