package dev.radar.scoring.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The size decisions alone, over ~450 image sizes (random, tiny, round-half-to-even cases, aspect ratios at and past
 * Qwen2-VL's limit of 200, InternVL ties), against the reference functions run by make_image_golden.py: qwen_vl_utils'
 * and transformers' smart_resize, InternVL's find_closest_aspect_ratio over dynamic_preprocess's ratio list.
 */
class SizeRulesTest {
    static final Path ANY = Path.of("size-rule-check");

    static JsonNode rules() throws Exception {
        return ImageProcessorsGoldenTest.JSON.readTree(
                ImageProcessorsGoldenTest.GOLDEN_DIR.resolve("golden-small.json").toFile()).get("sizeRules");
    }

    @Test
    void qwen2vlSmartResizeBothStages() throws Exception {
        int checked = 0;
        for (JsonNode r : rules().get("qwen2vl")) {
            int h = r.get(0).asInt();
            int w = r.get(1).asInt();
            String label = w + "x" + h;
            if (r.get(2).isNull()) {
                ImageLoadException e = assertThrows(ImageLoadException.class,
                        () -> ImageProcessors.Qwen2Vl.fetchImageSize(ANY, h, w), label);
                assertTrue(e.reason().contains("aspect ratio"), e.reason());
                continue;
            }
            int[] fetched = ImageProcessors.Qwen2Vl.fetchImageSize(ANY, h, w);
            assertArrayEquals(new int[] {r.get(2).asInt(), r.get(3).asInt()}, fetched, label + ": fetch_image size");
            int[] processed = ImageProcessors.Qwen2Vl.processorSize(ANY, fetched[0], fetched[1], 256 * 28 * 28,
                    768 * 28 * 28);
            assertArrayEquals(new int[] {r.get(4).asInt(), r.get(5).asInt()}, processed, label + ": processor size");
            checked++;
        }
        assertTrue(checked > 400, "sizes checked: " + checked);
    }

    @Test
    void internvlTileGrid() throws Exception {
        ImageProcessors.InternVl internvl = new ImageProcessors.InternVl(448, 3, true,
                new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
        for (JsonNode r : rules().get("internvl")) {
            int w = r.get(0).asInt();
            int h = r.get(1).asInt();
            assertArrayEquals(new int[] {r.get(2).asInt(), r.get(3).asInt()}, internvl.closestRatio(w, h),
                    w + "x" + h + ": (cols, rows)");
        }
    }
}
