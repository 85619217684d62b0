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
