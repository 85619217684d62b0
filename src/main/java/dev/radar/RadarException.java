package dev.radar;

/** Base of RADAR's typed exceptions: the message says what failed and names the file, sample or event. */
public class RadarException extends RuntimeException {
    public RadarException(String message) {
        super(message);
    }

    public RadarException(String message, Throwable cause) {
        super(message, cause);
    }
}
