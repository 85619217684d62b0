package dev.radar.scoring;

/** Told after each batch of samples is scored; called on the scoring thread, so keep it cheap. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> { };

    void onProgress(int done, int total);
}
