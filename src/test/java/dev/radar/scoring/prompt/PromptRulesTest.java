package dev.radar.scoring.prompt;

import dev.radar.bench.BenchSample;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rule edges the golden benchmark does not reach; PromptRulesGoldenTest covers the reference layouts. */
class PromptRulesTest {

    /** One id per character, except that "t!" merges into one token (100000), like a BPE merge across a boundary. */
    private static final TextEncoder CHARS = text -> {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("t!", i)) {
                ids.add(100000);
                i++;
            } else {
                ids.add((int) text.charAt(i));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    };

    private static BenchSample sample(String source, String question, int images, String... candidates) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            paths.add(Path.of("img" + i + ".png"));
        }
        return new BenchSample("q1", source + "_x", source, "x", question, paths, List.of(candidates));
    }

    /** CHARS, but "\nA" merges into one token (100001), as a BPE merge across the prompt/candidate boundary. */
    private static final TextEncoder MERGING = text -> CHARS.encode(text.replace("\nA", "\u0001")).clone();

    private static int[] mergingIds(String text) {
        int[] ids = MERGING.encode(text);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ids[i] == 1 ? 100001 : ids[i];
        }
        return ids;
    }

    @Test
    void candidateTokensAreThosePastThePromptsCountEvenWhenTheBoundaryMerges() {
        PromptRules llava = PromptRules.forFamily("llava-onevision");
        PromptPlan plan = llava.plan(sample("Wiki", "Q", 1, "A1", "b"));
        assertEquals("<image> Q\n", plan.promptText());
        TokenizedPrompt t = llava.tokenize(plan, PromptRulesTest::mergingIds, new int[]{2});
        assertArrayEquals(new int[]{-1, -1, ' ', 'Q', '\n'}, t.promptIds());
        // joint tail " Q" + "\nA" + "1": the prompt's own count is 3 tail ids, so the candidate is just "1"
        assertArrayEquals(new int[]{'1'}, t.candidateIds().get(0));
        assertArrayEquals(new int[]{-1, -1, ' ', 'Q', 100001}, t.jointPrefixIds().get(0));
        assertArrayEquals(new int[]{'b'}, t.candidateIds().get(1));
        assertFalse(t.packable());

        PromptPlan swallowed = llava.plan(sample("Wiki", "Q", 1, "A", "b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> llava.tokenize(swallowed, PromptRulesTest::mergingIds, new int[]{2}));
        assertTrue(e.getMessage().contains("no tokens past the prompt"), e.getMessage());
    }

    @Test
    void qwenAppendsTheCandidateAfterASpaceAndIsPackableWithoutMerges() {
        PromptRules qwen = PromptRules.forFamily("qwen2-vl");
        PromptPlan q = qwen.plan(sample("MMBench", "Say t", 1, "ok", "no"));
        assertEquals("<|vision_start|><|image_pad|><|vision_end|>Say t", q.promptText());
        TokenizedPrompt qt = qwen.tokenize(q, CHARS, new int[]{2});
        assertTrue(qt.packable());
        assertArrayEquals(new int[]{' ', 'o', 'k'}, qt.candidateIds().get(0));
        assertArrayEquals(new int[]{2}, qt.imageRunLengths());
    }

    @Test
    void internVlReversesSeveralImagesAndKeepsPixelOrder() {
        PromptRules intern = PromptRules.forFamily("internvl3.5");
        PromptPlan plan = intern.plan(sample("SeePhys", "Why?", 3, "a", "b"));
        TokenizedPrompt t = intern.tokenize(plan, CHARS, new int[]{1, 2, 3});
        assertArrayEquals(new int[]{3, 2, 1}, t.imageRunLengths());
        assertArrayEquals(new int[]{2, 1, 0}, t.imageRunPixelIndex());
        assertEquals(List.of(Path.of("img0.png"), Path.of("img1.png"), Path.of("img2.png")), plan.images());
        assertTrue(plan.promptText().contains("<img><IMG_CONTEXT></img> <img><IMG_CONTEXT></img> <img><IMG_CONTEXT>"
                + "</img> Why?<|im_end|>"), plan.promptText());
        assertEquals(6, t.visualTokenCount());
    }

    @Test
    void internVlSystemMessageOfACheckpointChangesTheVersion() {
        PromptRules own = PromptRules.internVl(null);
        assertTrue(own.plan(sample("Wiki", "Q", 1, "a", "b")).promptText().startsWith("<|im_start|>system\nNone<|im_end|>"));
        assertTrue(own.version().startsWith(PromptRules.RULES_VERSION + "+system:"));
        assertEquals(PromptRules.RULES_VERSION, PromptRules.forFamily("internvl3.5").version());
    }

    @Test
    void whatTheReferenceCannotScoreIsRejectedNamingTheSample() {
        PromptRules llava = PromptRules.forFamily("llava-onevision");
        IllegalArgumentException noImage = assertThrows(IllegalArgumentException.class,
                () -> llava.plan(sample("Wiki", "Q", 0, "a", "b")));
        assertTrue(noImage.getMessage().contains("Wiki_x/q1"), noImage.getMessage());
        assertThrows(IllegalArgumentException.class, () -> llava.plan(sample("Wiki", "Q", 13, "a", "b")));
        BenchSample imageOptions = new BenchSample("q2", "MMMU_Pro_x", "MMMU_Pro", "x", "Pick", List.of(
                Path.of("a.png"), Path.of("b.png")), List.of("<image 1>", "<image 2>"),
                new BenchSample.Reference("Pick", "<image 1>", List.of("<image 2>"), "['<image 1>', '<image 2>']", 2,
                        0, -1, false, false, -1));
        IllegalArgumentException noDraw = assertThrows(IllegalArgumentException.class, () -> llava.plan(imageOptions));
        assertTrue(noDraw.getMessage().contains("draw"), noDraw.getMessage());
        PromptPlan empty = PromptRules.forFamily("qwen2-vl").plan(sample("Wiki", "Q", 1, "", "b"));
        assertThrows(IllegalArgumentException.class,
                () -> PromptRules.forFamily("qwen2-vl").tokenize(empty, text -> CHARS.encode(text.strip()), new int[]{1}));
        assertThrows(IllegalArgumentException.class, () -> PromptRules.forFamily("gpt"));
    }

    @Test
    void imageOptionsFollowTheDrawForEachFamily() {
        BenchSample.Reference ref = new BenchSample.Reference("See <image 1>.", "<image 2>", List.of("<image 3>"),
                "['<image 2>', '<image 3>']", 3, 1, 7, false, true, -1);
        BenchSample s = new BenchSample("q3", "MMMU_Pro_x", "MMMU_Pro", "x", "See <image 1>.",
                List.of(Path.of("1.png"), Path.of("2.png"), Path.of("3.png")), List.of("<image 2>", "<image 3>"), ref);
        PromptPlan qwen = PromptRules.forFamily("qwen2-vl").plan(s);
        assertEquals(List.of("B", "A"), qwen.candidates());
        assertEquals(List.of(Path.of("1.png"), Path.of("3.png"), Path.of("2.png")), qwen.images());
        assertEquals("See <|vision_start|><|image_pad|><|vision_end|>. A. <|vision_start|><|image_pad|><|vision_end|>"
                + " B. <|vision_start|><|image_pad|><|vision_end|> Please select the correct option: ", qwen.promptText());
        PromptPlan llava = PromptRules.forFamily("llava-onevision").plan(s);
        assertEquals(List.of("A", "B"), llava.candidates());
        assertEquals(List.of(Path.of("1.png"), Path.of("2.png"), Path.of("3.png")), llava.images());
    }
}
