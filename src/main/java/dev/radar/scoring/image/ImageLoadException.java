package dev.radar.scoring.image;

import java.nio.file.Path;

/**
 * An image file that cannot become model input: unreadable, not an image, truncated, an unsupported layout, or a
 * size the family's reference preprocessing rejects. The message names the file and the reason, so the caller can
 * record the sample as failed instead of crashing the shard.
 */
public final class ImageLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String reason;

    ImageLoadException(Path file, String reason) {
        this(file, reason, null);
    }

    ImageLoadException(Path file, String reason, Throwable cause) {
        super("image " + file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file that failed. */
    public Path file() {
        return file;
    }

    /** Why it failed, without the file name. */
    public String reason() {
        return reason;
    }
}
