package dev.radar.scoring.prompt;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.radar.bench.BenchSample;
import dev.radar.bench.Benchmark;
import dev.radar.testing.RepoFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The prompt rules against models/golden/prompts/prompts_{family}.json, which make_prompt_golden.py writes by
 * following each reference script step by step on the golden benchmark folder (one record of every source layout,
 * MMMU-Pro image options with both draw outcomes, a skipped 13-image record that still draws). The benchmark is
 * read by the real reader (draws included) and tokenised with the family's tiny tokenizer through DJL, as the
 * runtime does; ids, texts, images and candidates must match exactly.
 */
class PromptRulesGoldenTest {
    private static final Path GOLDEN = RepoFiles.path("models/golden/prompts");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-vl", "internvl3.5", "llava-onevision"})
    void everySourceLayoutMatchesTheReferenceScript(String family) throws IOException {
        JsonNode golden = JSON.readTree(GOLDEN.resolve("prompts_" + family + ".json").toFile());
        Path bench = copyOfGoldenBench();
        Benchmark b = Benchmark.load(bench);
        Map<String, BenchSample> byKey = b.samples().stream()
                .collect(Collectors.toMap(BenchSample::key, Function.identity()));
        PromptRules rules = PromptRules.forFamily(family);
        assertEquals(PromptRules.RULES_VERSION, golden.get("rules").asText(), "golden written for other rules");
        System.setProperty("ai.djl.offline", "true");
        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder()
                .optTokenizerPath(GOLDEN.resolve("tokenizers").resolve(golden.get("tokenizer").asText())
                        .resolve("tokenizer.json"))
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build()) {
            TextEncoder enc = text -> Arrays.stream(tok.encode(text, false, false).getIds()).mapToInt(x -> (int) x)
                    .toArray();
            int scored = 0;
            for (JsonNode g : golden.get("samples")) {
                String key = g.get("key").asText();
                if (g.has("skipped")) {
                    assertFalse(byKey.containsKey(key), key + " is skipped by the reference");
                    assertTrue(b.problems().stream().anyMatch(p -> key.endsWith("/" + p.questionId())
                            && p.message().contains("too many images")), b.problems().toString());
                    continue;
                }
                BenchSample s = byKey.get(key);
                assertTrue(s != null, key + " not loaded: " + b.problems());
                PromptPlan plan = rules.plan(s);
                String where = family + " " + key;
                assertEquals(strings(g.get("images")), plan.images().stream()
                        .map(p -> bench.relativize(p).toString().replace('\\', '/')).toList(), where + " images");
                assertEquals(strings(g.get("candidates")), plan.candidates(), where + " candidates");
                assertEquals(g.get("prompt_text").asText(), plan.promptText(), where + " prompt text");

                TokenizedPrompt t = rules.tokenize(plan, enc, ints(g.get("visual_tokens")));
                assertArrayEquals(expand(g.get("prompt_ids")), t.promptIds(), where + " prompt ids");
                assertArrayEquals(ints(g.get("image_slot_lengths")), t.imageRunLengths(), where + " image slots");
                for (int k = 0; k < plan.candidates().size(); k++) {
                    int[] joint = concat(t.jointPrefixIds().get(k), t.candidateIds().get(k));
                    assertArrayEquals(expand(g.get("joint_ids").get(k)), joint, where + " prompt+candidate " + k);
                    assertArrayEquals(ints(g.get("candidate_ids").get(k)), t.candidateIds().get(k),
                            where + " candidate " + k);
                    assertEquals(g.get("candidate_token_counts").get(k).asInt(), t.candidateIds().get(k).length);
                }
                scored++;
            }
            assertEquals(scored, b.samples().size(), "every loaded sample has a golden entry");
        }
    }

    private Path copyOfGoldenBench() throws IOException {
        // Benchmark.load writes its cache under the root: never into the repository.
        Path src = GOLDEN.resolve("bench");
        Path dst = work.resolve("bench");
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : all.toList()) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return dst;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /** The fixtures write a run of n visual positions as -n. */
    private static int[] expand(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode n : a) {
            int v = n.asInt();
            if (v < 0) {
                for (int i = 0; i < -v; i++) {
                    out.add(PromptRules.IMAGE_SLOT);
                }
            } else {
                out.add(v);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
