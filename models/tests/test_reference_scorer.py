"""Reference scorer (models/reference_scorer.py): prompts per family and source, SDS arithmetic, and parity of
an exported package with it on a benchmark with every source layout.

    /work/main/.venv/bin/python -m unittest models.tests.test_reference_scorer -v
"""
import json
import os
import random
import shutil
import sys
import tempfile
import unittest

import torch

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)

import export_hf  # noqa: E402
import reference_scorer as rs  # noqa: E402
import tiny_hf  # noqa: E402

TMP = None


def setUpModule():
    global TMP
    torch.set_num_threads(2)
    TMP = tempfile.mkdtemp(prefix="radar-reference-")
    tiny_hf.build_benchmark(os.path.join(TMP, "bench"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def bench_item(source, name, q_id):
    path = os.path.join(TMP, "bench", source, name + "_pretrained_mllm_eval.json")
    with open(path) as f:
        return os.path.join(TMP, "bench", source), path, json.load(f)[q_id]


class PromptTest(unittest.TestCase):
    def test_mmmu_image_options_follow_the_draw(self):
        src, path, item = bench_item("multiple_discipline_reasoning", "MMMU_Pro_Art_Theory_1", "mmmu-7")
        rng = random.Random(0)
        first = random.Random(0).random() > 0.5
        q, cands, files, mmmu = rs.sample_inputs("qwen2-vl", src, path, "mmmu-7", item, rng, "<IMG>")
        self.assertTrue(mmmu)
        self.assertEqual(cands, ["A", "B"] if first else ["B", "A"])
        # Question image first, then the option images in listed order; tags replaced inline.
        names = [os.path.basename(f) for f in files]
        self.assertEqual(names, ["mmmu-7_image_1.png"] + (["mmmu-7_image_2.png", "mmmu-7_image_3.png"] if first
                                                          else ["mmmu-7_image_3.png", "mmmu-7_image_2.png"]))
        self.assertTrue(q.startswith("<IMG> Which painting"))
        self.assertTrue(q.endswith(" A. <IMG> B. <IMG> Please select the correct option: "))

    def test_llava_samples_one_text_distractor(self):
        src, path, item = bench_item("multiple_discipline_reasoning", "MMMU_Pro_Art_Theory_1", "mmmu-8")
        _, cands, files, _ = rs.sample_inputs("llava-onevision", src, path, "mmmu-8", item, random.Random(0), "<image>")
        self.assertEqual(len(cands), 2)
        self.assertEqual(cands[0], "Baroque")
        self.assertEqual(len(files), 2)
        _, cands, _, _ = rs.sample_inputs("qwen2-vl", src, path, "mmmu-8", item, random.Random(0), "<x>")
        self.assertEqual(cands, ["Baroque", "Cubism", "Gothic"])

    def test_internvl_reverses_the_text_order_of_several_images(self):
        ref = rs.InternVlReference.__new__(rs.InternVlReference)
        ref.system, ref.tokens_per_tile = "SYS", 2
        src, path, item = bench_item("physical_reasoning", "SeePhys_optics_1", "sp-4--x")
        q, _, files, mmmu = rs.sample_inputs("internvl3.5", src, path, "sp-4--x", item, random.Random(0), "<image>")
        query, tiles = ref.query(q, files, path)
        self.assertEqual([t.shape[0] for t in tiles], [4, 3])    # 1:3 -> 3 tiles + thumbnail; 2:1 -> 2 + 1
        # The second image's span is prepended last, so it comes first in the text; separator " " for SeePhys.
        first, second = "<img>" + "<IMG_CONTEXT>" * 6 + "</img>", "<img>" + "<IMG_CONTEXT>" * 8 + "</img>"
        self.assertEqual(query, f"<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\n{first} {second} {q}"
                                f"<|im_end|>\n<|im_start|>assistant\n")


GOLDEN = os.environ.get("RADAR_PROMPT_GOLDEN", os.path.join(MODELS, "golden", "prompts"))


def collapse(ids, image_ids):
    """Token ids with each run of visual tokens (ids in image_ids, negative run markers, None) as one 'IMG'."""
    out = []
    for t in ids:
        v = "IMG" if (t is None or t < 0 or t in image_ids) else t
        if not (v == "IMG" and out and out[-1] == "IMG"):
            out.append(v)
    return out


@unittest.skipUnless(os.path.exists(os.path.join(GOLDEN, "prompts_qwen2-vl.json"))
                     and os.path.exists(os.path.join(MODELS, "tiny_tokenizers.py")),
                     "golden prompts (models/golden/prompts, branch prompts) not present")
class GoldenPromptTest(unittest.TestCase):
    """This transcription of the scripts against the golden prompts the Java prompt rules are tested on
    (models/golden/prompts/make_prompt_golden.py, an independent transcription): same candidates (MMMU-Pro draws
    included), same image files in pixel order, same token ids with each visual run collapsed, same Qwen2-VL
    visual-token counts. InternVL's golden uses fixed tile counts, so only its run positions are compared."""

    def references(self):
        import tiny_tokenizers
        from transformers import (AutoTokenizer, Qwen2VLImageProcessorFast, Qwen2VLProcessor, SiglipImageProcessor)
        from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor

        def tok(fam):
            return AutoTokenizer.from_pretrained(tiny_tokenizers.build(fam, tempfile.mkdtemp(dir=TMP)))
        q = rs.Qwen2VlReference.__new__(rs.Qwen2VlReference)
        t = tok("qwen2-vl")
        q.processor = Qwen2VLProcessor(image_processor=Qwen2VLImageProcessorFast(min_pixels=rs.MIN_PIXELS,
                                                                             max_pixels=rs.MAX_PIXELS),
                                       tokenizer=t, video_processor=Qwen2VLVideoProcessor())
        i = rs.InternVlReference.__new__(rs.InternVlReference)
        i.tok, i.system, i.tokens_per_tile = tok("internvl3.5"), rs.INTERNVL_SYSTEM, 256
        ll = rs.LlavaReference.__new__(rs.LlavaReference)
        ll.tok = tok("llava-onevision-projector")
        ll.processor = SiglipImageProcessor(size={"height": 384, "width": 384}, image_mean=[0.5] * 3,
                                            image_std=[0.5] * 3, resample=3)
        return {"qwen2-vl": (q, {t.convert_tokens_to_ids("<|image_pad|>")}),
                "internvl3.5": (i, {i.tok.convert_tokens_to_ids("<IMG_CONTEXT>")}),
                "llava-onevision": (ll, {-7})}

    def test_prompts_equal_golden(self):
        bench = os.path.join(GOLDEN, "bench")
        for fam, (ref, image_ids) in self.references().items():
            with open(os.path.join(GOLDEN, f"prompts_{fam}.json")) as f:
                gold = {s["key"]: s for s in json.load(f)["samples"]}
            mine = {}
            for _, jf, _, key, q, cands, files, mmmu in rs.reference_order(ref, bench):
                if len(files) > 12:
                    mine[key] = None
                    continue
                kw = {"image_token_id": -7} if fam == "llava-onevision" else {}
                prompt, cids, _, _ = ref.package_inputs(q, cands, files, mmmu, jf, **kw)
                mine[key] = (prompt, cids, cands, [os.path.relpath(p, bench) for p in files])
            self.assertEqual(sorted(mine), sorted(gold), fam)
            for key, g in gold.items():
                with self.subTest(family=fam, sample=key):
                    if mine[key] is None or "prompt_ids" not in g:
                        self.assertIsNone(mine[key])
                        self.assertNotIn("prompt_ids", g)
                        continue
                    prompt, cids, cands, files = mine[key]
                    self.assertEqual(cands, g["candidates"])
                    self.assertEqual(files, g["images"])
                    self.assertEqual(cids, g["candidate_ids"])
                    self.assertEqual(collapse(prompt, image_ids), collapse(g["prompt_ids"], image_ids))
                    if fam == "qwen2-vl":
                        self.assertEqual(sum(t in image_ids for t in prompt), -sum(t for t in g["prompt_ids"] if t < 0))


class ParityTest(unittest.TestCase):
    def check_family(self, fam, ckpt, out_name, base=None, tower=None):
        pkg = os.path.join(TMP, out_name)
        export_hf.export("llava-onevision" if fam.startswith("llava") else fam, ckpt, pkg, "float32", base, tower)
        ref = rs.make_reference("llava-onevision" if fam.startswith("llava") else fam, ckpt, base, tower)
        rows = rs.score_benchmark(ref, os.path.join(TMP, "bench"), os.path.join(TMP, out_name + ".jsonl"))
        self.assertEqual(len(rows), 8)
        for r in rows:
            self.assertAlmostEqual(sum(r["probs"]), 1.0, places=5)
            self.assertTrue(0.0 < r["sds"] < 1.0)
            self.assertEqual(r["correct"], max(range(len(r["probs"])), key=lambda i: (r["probs"][i], -i)) == 0)
            self.assertTrue(all(c > 0 for c in r["candidateTokenCounts"]))
        parity = rs.package_parity(ref, pkg, os.path.join(TMP, "bench"), rows)
        worst = max(max(p["perCandidate"]["dSds"], p["packed"]["dSds"]) for p in parity)
        print(f"{fam}: package vs reference max |dSDS| = {worst:.3g} over {len(parity)} samples")
        for p in parity:
            for k in ("perCandidate", "packed"):
                self.assertLessEqual(p[k]["dSds"], 1e-4, f"{p['q_id']} {k}")
                self.assertTrue(p[k]["sameCorrect"], f"{p['q_id']} {k}")
                self.assertTrue(p[k]["sameCounts"], f"{p['q_id']} {k}")

    def test_qwen2_vl_package_matches_reference(self):
        ckpt = tiny_hf.build("qwen2-vl", os.path.join(TMP, "qwen2-vl"))
        self.check_family("qwen2-vl", ckpt, "pkg-qwen2-vl")

    def test_llava_projector_package_matches_reference(self):
        root = tiny_hf.build("llava-onevision-projector", os.path.join(TMP, "llava-proj"))
        self.check_family("llava-onevision-projector", os.path.join(root, "checkpoint"), "pkg-llava-proj",
                          os.path.join(root, "model_base"), os.path.join(root, "vision_tower"))


if __name__ == "__main__":
    unittest.main()
