package dev.radar.scoring;

import dev.radar.RadarException;

/** A scoring package (radar-model.json, tokenizer.json, its TorchScript modules) is missing, corrupt or inconsistent; names the file. */
public class ModelLoadException extends RadarException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
