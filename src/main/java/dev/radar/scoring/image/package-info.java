/**
 * Image loading and preprocessing equal to each model family's reference code (issue 12): Pillow-exact decoding and
 * mode conversion ({@link dev.radar.scoring.image.PillowDecoder}), Pillow- and torch-exact anti-aliased resampling
 * ({@link dev.radar.scoring.image.Resampler}), and the per-family pipelines behind
 * {@link dev.radar.scoring.image.ImageProcessors}: Qwen2-VL dynamic resolution with patchified output, grid and
 * patch positions; InternVL3.5 dynamic tiling with thumbnail; LLaVA-OneVision square SigLIP input. Proven element by
 * element against the references by ImageProcessorsGoldenTest (goldens from models/golden/images).
 */
package dev.radar.scoring.image;
