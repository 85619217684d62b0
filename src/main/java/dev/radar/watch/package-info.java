/**
 * Folder watcher: turns checkpoint folders that a training job writes into {@code CheckpointSaved} events, for
 * training code that cannot call {@code radar publish} itself.
 *
 * <ul>
 *   <li>{@link dev.radar.watch.CheckpointScanner}: which sub-folders are complete checkpoints (marker file, or a
 *       model file and a total size stable over two polls) and their step (parsed from the folder name).</li>
 *   <li>{@link dev.radar.watch.PublishedState}: the {@code .radar-published} file in the watched folder, so a
 *       restarted watcher publishes nothing twice.</li>
 *   <li>{@link dev.radar.watch.CheckpointWatcher}: the polling service that publishes to {@code radar.checkpoints}
 *       and dead-letters folders whose step cannot be parsed.</li>
 * </ul>
 * Configured by {@link dev.radar.watch.WatchConfig}; run with {@code radar watch}.
 */
package dev.radar.watch;
