package dev.radar.scoring;

import dev.radar.RadarException;

/** A scoring package (model.pt, tokenizer.json, radar-model.json) is missing, corrupt or inconsistent; names the file. */
public class ModelLoadException extends RadarException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
