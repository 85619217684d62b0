/**
 * What a checkpoint is and whether it can be scored: a {@code CheckpointSaved}'s fields and run id, its location
 * (allowed roots, on real paths), and its content: a RADAR scoring package, or a raw Hugging Face checkpoint folder
 * (config.json + safetensors, sharded or not) of a supported family with a matching architecture package. The
 * planner, the publishers, the folder watcher and the scorer all ask {@link dev.radar.checkpoint.CheckpointValidator};
 * the scorer reads raw checkpoints' tensors through {@link dev.radar.checkpoint.SafetensorsFile}.
 *
 * <p>May import: {@code dev.radar.events}, {@code dev.radar.config}, {@code dev.radar.RadarException}; nothing
 * else of the project (every other package may depend on this one).
 */
package dev.radar.checkpoint;
