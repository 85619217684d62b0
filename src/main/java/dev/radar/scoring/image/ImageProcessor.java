package dev.radar.scoring.image;

import java.nio.file.Path;

/** Turns one image file into a family's vision input, exactly as that family's reference preprocessing does. */
public interface ImageProcessor {
    /**
     * @throws ImageLoadException for anything about the file that prevents it (unreadable, not an image, truncated,
     *                            a size the reference rejects); never any other exception for a bad image
     */
    VisionInput process(Path file) throws ImageLoadException;
}
