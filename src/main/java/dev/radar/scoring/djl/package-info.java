/**
 * DJL / PyTorch implementation of the scoring engine: loading a scoring package ({@link
 * dev.radar.scoring.djl.ScoringModel}), preparing samples off the model thread (tokenising, image decoding),
 * laying candidates out as rows (per-candidate or packed), batching rows by length and running the forward.
 * Contract 1 packages (the tiny model) run one model.pt; contract 2 packages (real architectures) run vision.pt
 * once per distinct image of a batch and language.pt with the features concatenated on the device, with the
 * family's prompt rules and image processor on the prefetch threads and positions (Qwen2-VL M-RoPE) computed here.
 * Callers open a scorer with {@link dev.radar.scoring.djl.ScoringEngine}; everything else here stays internal.
 */
package dev.radar.scoring.djl;
