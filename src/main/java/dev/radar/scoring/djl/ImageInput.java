package dev.radar.scoring.djl;

/**
 * One image as a contract-2 vision.pt takes it, produced by the family's image processor on a prefetch thread.
 *
 * @param pixels       float32 values in the family's layout: Qwen2-VL [P, 1176] flattened patches, InternVL
 *                     [tiles, 3, 448, 448], LLaVA-OneVision [1, 3, 384, 384]
 * @param shape        the tensor shape of {@code pixels}
 * @param grid         Qwen2-VL (t, h, w) in patches (before the 2x2 merge); null for the other families
 * @param patchPos     Qwen2-VL (row, col) of each patch, [P * 2]; null for the other families
 * @param tiles        tiles (InternVL) or 1
 * @param visualTokens feature rows vision.pt returns for this image = visual-token positions in the prompt
 */
record ImageInput(float[] pixels, long[] shape, int[] grid, long[] patchPos, int tiles, int visualTokens) {
}
