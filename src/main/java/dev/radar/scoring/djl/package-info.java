/**
 * DJL / PyTorch implementation of the scoring engine: loading a scoring package ({@link
 * dev.radar.scoring.djl.ScoringModel}), preparing samples off the model thread (tokenising, image decoding),
 * laying candidates out as rows (per-candidate or packed), batching rows by length and running the forward.
 * Callers use {@link dev.radar.scoring.ScoringEngine}; nothing here is needed outside the scoring package.
 */
package dev.radar.scoring.djl;
