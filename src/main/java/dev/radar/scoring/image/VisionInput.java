package dev.radar.scoring.image;

/**
 * One image ready for a family's vision module.
 *
 * @param pixels       float32 values of {@code shape}, row-major
 * @param shape        qwen2-vl: [P, 1176] (flattened patches in Qwen2VLImageProcessor order); internvl3.5:
 *                     [tiles, 3, 448, 448]; llava-onevision: [1, 3, 384, 384]
 * @param grid         qwen2-vl: {t, h, w} in patches (t = 1 for an image), as image_grid_thw; null otherwise
 * @param patchPos     qwen2-vl: P*2 values, the (row, col) of each patch in the order of {@code pixels}, which is
 *                     what the vision tower's rot_pos_emb derives from the grid (2x2 merge windows); null otherwise
 * @param tiles        number of images along the first axis of {@code pixels} for internvl3.5 (incl. thumbnail),
 *                     1 for the other families
 * @param visualTokens tokens this image takes in the prompt: qwen2-vl t*h*w/4, internvl3.5 256 per tile,
 *                     llava-onevision 729
 */
public record VisionInput(float[] pixels, long[] shape, int[] grid, long[] patchPos, int tiles, int visualTokens) {
}
