"""Contract-2 export of the real architectures (tiny random checkpoints of the real classes).

    /work/main/.venv/bin/python -m unittest discover -s models/tests -v      (from the repository root)

Builds tiny Qwen2-VL, InternVL (HF-native) and LLaVA-NeXT projector-only checkpoints once, exports them with
models/export_hf.py (which refuses to write a package whose own checks fail) and checks, on shapes none of the
export's checks used: traced == eager wrapper, packed == per-candidate, wrapper == the HF model's forward,
M-RoPE positions == Qwen2VLModel.get_rope_index, and that no package carries a device constant.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

import torch

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, MODELS)

import export_hf  # noqa: E402
import tiny_hf  # noqa: E402

TMP = None
PKG = {}
LOADED = {}


def setUpModule():
    global TMP
    torch.set_num_threads(2)
    TMP = tempfile.mkdtemp(prefix="radar-hf-export-")
    for fam in ("qwen2-vl", "internvl3.5", "llava-onevision-projector"):
        root = os.path.join(TMP, fam)
        if fam == "llava-onevision-projector":
            tiny_hf.build(fam, root)
            args = ("llava-onevision", os.path.join(root, "checkpoint"), os.path.join(root, "package"), "float32",
                    os.path.join(root, "model_base"), os.path.join(root, "vision_tower"))
        else:
            tiny_hf.build(fam, os.path.join(root, "checkpoint"))
            args = (fam, os.path.join(root, "checkpoint"), os.path.join(root, "package"), "float32")
        export_hf.export(*args)
        PKG[fam] = os.path.join(root, "package")
        LOADED[fam] = export_hf.load(args[0], args[1], torch.float32, *args[4:])


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def package(fam):
    p = PKG[fam]
    return (torch.jit.load(os.path.join(p, "vision.pt")), torch.jit.load(os.path.join(p, "language.pt")),
            json.load(open(os.path.join(p, "radar-model.json"))))


class ExportTest(unittest.TestCase):
    # Shapes the export never traced or checked with.
    NEW = {"qwen2-vl": (3, ([14, 10], [4, 22], [16, 16])), "internvl3.5": (3, (2, 1, 4)),
           "llava-onevision-projector": (4, (1,))}

    def sample(self, fam, seed):
        n, sizes = self.NEW[fam]
        ld = LOADED[fam]
        gen = torch.Generator().manual_seed(seed)
        return export_hf.random_sample(ld.family, gen, n, sizes, ld.image_token_id, wrap=ld.wrap)

    def scores(self, fam, vision, language, sample, packed):
        ld = LOADED[fam]
        images, grids, prompt, cands = sample
        return export_hf.score_sample(ld.family, vision, language, images, grids, prompt, cands,
                                      ld.image_token_id, packed, ld.tokenizer.pad_token_id, torch.float32)

    def test_traced_equals_eager_on_new_shapes(self):
        for fam in PKG:
            with self.subTest(fam=fam):
                vision, language, _ = package(fam)
                s = self.sample(fam, 11)
                for packed in (False, True):
                    eager = self.scores(fam, LOADED[fam].vision, LOADED[fam].language, s, packed)
                    traced = self.scores(fam, vision, language, s, packed)
                    diff = export_hf.max_diff(eager, traced)
                    print(f"{fam} packed={packed}: max |traced - eager| = {diff:.3g}")
                    self.assertLessEqual(diff, 1e-5, f"{fam} packed={packed}")

    def test_packed_equals_per_candidate(self):
        for fam in PKG:
            with self.subTest(fam=fam):
                vision, language, _ = package(fam)
                s = self.sample(fam, 12)
                diff = export_hf.max_diff(self.scores(fam, vision, language, s, False),
                                          self.scores(fam, vision, language, s, True))
                print(f"{fam}: max |packed - per-candidate| = {diff:.3g}")
                self.assertLessEqual(diff, 1e-5, fam)

    def test_text_only_batch_takes_one_zero_feature_row(self):
        """K >= 1: a batch without images passes one zero row; nothing reads it."""
        for fam in PKG:
            with self.subTest(fam=fam):
                vision, language, cfg = package(fam)
                ld = LOADED[fam]
                gen = torch.Generator().manual_seed(14)
                s = export_hf.random_sample(ld.family, gen, 0, (1,), ld.image_token_id)
                for packed in (False, True):
                    eager = self.scores(fam, ld.vision, ld.language, s, packed)
                    traced = self.scores(fam, vision, language, s, packed)
                    self.assertLessEqual(export_hf.max_diff(eager, traced), 1e-5, f"{fam} packed={packed}")

    def test_package_equals_hf_forward(self):
        for fam in ("qwen2-vl", "internvl3.5"):
            with self.subTest(fam=fam):
                vision, language, _ = package(fam)
                s = self.sample(fam, 13)
                images, grids, prompt, cands = s
                hf = export_hf.hf_forward_scores(LOADED[fam], images, grids, prompt, cands)
                diff = export_hf.max_diff(hf, self.scores(fam, vision, language, s, False))
                print(f"{fam}: max |package - HF forward| = {diff:.3g}")
                self.assertLessEqual(diff, 1e-4, fam)

    def test_export_records_its_checks(self):
        for fam in PKG:
            with self.subTest(fam=fam):
                cfg = package(fam)[2]
                self.assertEqual(cfg["contract"], 2)
                self.assertEqual(cfg["positionDims"], 3 if fam == "qwen2-vl" else 1)
                checks = cfg["export"]["checks"]
                for name in ("trace_vision", "trace_language", "packed_vs_per_candidate", "device_free"):
                    self.assertTrue(checks[name]["passed"], f"{fam}: {name}")
                if fam == "llava-onevision-projector":
                    self.assertEqual(cfg["vision"]["layout"], "projector")
                self.assertTrue(os.path.exists(os.path.join(PKG[fam], "tokenizer.json")))

    def test_vision_feature_counts(self):
        """Qwen2-VL: P/4 features per image of any grid; InternVL: 256 per tile; LLaVA: 729 per image."""
        v, _, _ = package("qwen2-vl")
        for h, w in ((4, 4), (10, 6), (2, 30)):
            px = torch.randn(h * w, 1176)
            self.assertEqual(tuple(v(px, export_hf.qwen2vl_patch_pos(h, w)).shape), (h * w // 4, 64))
        v, _, _ = package("internvl3.5")
        self.assertEqual(tuple(v(torch.randn(5, 3, 448, 448)).shape), (5 * 256, 64))
        v, _, _ = package("llava-onevision-projector")
        self.assertEqual(tuple(v(torch.randn(2, 3, 384, 384)).shape), (2 * 729, 64))

    def test_mrope_positions_equal_get_rope_index(self):
        """export_hf.mrope_positions (what the Java side must compute) against transformers' own rules."""
        hf = LOADED["qwen2-vl"].hf
        cfg = hf.config
        grids = [(1, 6, 10), (1, 8, 4)]
        ids = [5, 6, cfg.vision_start_token_id] + [cfg.image_token_id] * 15 + [cfg.vision_end_token_id, 7, 8, 9,
                                                                               cfg.vision_start_token_id]
        ids += [cfg.image_token_id] * 8 + [cfg.vision_end_token_id, 10, 11]
        want, _ = hf.model.get_rope_index(torch.tensor([ids]), torch.tensor(grids), None, torch.ones(1, len(ids)))
        got = export_hf.mrope_positions(ids, cfg.image_token_id, grids)
        self.assertTrue(torch.equal(want[:, 0], got), f"\n{want[:, 0]}\n{got}")

    def test_no_device_constant_in_packages(self):
        for fam in PKG:
            for name in ("vision.pt", "language.pt"):
                with self.subTest(fam=fam, file=name):
                    self.assertEqual(export_hf.device_constants(torch.jit.load(os.path.join(PKG[fam], name))), [])


class DeviceScanTest(unittest.TestCase):
    def test_scan_flags_a_module_that_creates_tensors_on_the_trace_device(self):
        class Bad(torch.nn.Module):
            def forward(self, x):
                return x + torch.zeros((1,), dtype=x.dtype, device=x.device)

        class Good(torch.nn.Module):
            def forward(self, x):
                return x + x.new_zeros((1,))

        bad = torch.jit.trace(Bad(), (torch.ones(2),))
        self.assertTrue(export_hf.device_constants(bad), "a device constant must be found")
        self.assertEqual(export_hf.device_constants(torch.jit.trace(Good(), (torch.ones(2),))), [])

    def test_committed_tiny_packages_are_device_free(self):
        root = os.path.join(MODELS, "tiny-mllm", "checkpoints")
        for step in sorted(os.listdir(root)):
            with self.subTest(step=step):
                self.assertEqual(export_hf.device_constants(torch.jit.load(os.path.join(root, step, "model.pt"))), [])

    def test_contract1_additive_mask_traces_device_free(self):
        from radar_contract import additive_mask

        class M(torch.nn.Module):
            def forward(self, allowed, x):
                return additive_mask(allowed, x.dtype) + x

        allowed = torch.tril(torch.ones(1, 3, 3, dtype=torch.bool))
        traced = torch.jit.trace(M(), (allowed, torch.zeros(1, 1, 3, 3)))
        self.assertEqual(export_hf.device_constants(traced), [])
        out = traced(allowed, torch.zeros(1, 1, 3, 3))
        self.assertEqual(out[0, 0, 0, 0].item(), 0.0)
        self.assertEqual(out[0, 0, 0, 1].item(), torch.finfo(torch.float32).min)


if __name__ == "__main__":
    unittest.main()
