/**
 * RADAR: streaming evaluation of multimodal LLM pre-training checkpoints. The root package holds the small
 * shared API ({@link dev.radar.Service}, {@link dev.radar.RadarException}); capabilities live in sub-packages.
 */
package dev.radar;
