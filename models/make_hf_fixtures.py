#!/usr/bin/env python3
"""Builds the real-architecture parity fixtures the Java end-to-end test scores (CI driver).

    /work/main/.venv/bin/python models/make_hf_fixtures.py OUT [--bench DIR] [--families qwen2-vl,...]
    models/make_hf_fixtures.sh OUT [--bench DIR]                      # same, with the pinned venv

For each family (qwen2-vl, internvl3.5, llava-onevision = HF class, llava-onevision-projector = LLaVA-NeXT
projector-only layout):
  OUT/<family>/checkpoint        tiny random checkpoint of the real class (models/tiny_hf.py), with tokenizer and
                                 processor; the projector layout also has OUT/<family>/model_base, vision_tower
  OUT/<family>/package           contract-2 package (models/export_hf.py, float32; its own checks must pass)
  OUT/<family>/reference.jsonl   the reference scorer's per-sample SDS (models/reference_scorer.py)
  OUT/<family>/reference.jsonl.package-parity.json  the package scored in Python as Java drives it, per sample
Raw checkpoints (qwen2-vl, internvl3.5, llava-onevision; models/README.md "Raw Hugging Face checkpoints"):
  OUT/<family>/architecture      architecture package traced from OUT/<family>/checkpoint (export_hf --architecture)
  OUT/qwen2-vl/architecture-bf16 the same in bfloat16
  OUT/<family>/checkpoint-b      a second checkpoint of the same architecture with other weights, saved sharded
                                 (model-0000k-of-0000n.safetensors + index), as a later save of a training run
  OUT/<family>/reference-b.jsonl the reference scorer's per-sample SDS on checkpoint-b
--raw-only adds just these to an OUT built before.
The benchmark is --bench (M3-Bench layout) or OUT/benchmark, built by tiny_hf.build_benchmark.
OUT/summary.json holds the timings and the max differences; the script fails if any parity check fails.
"""
import argparse
import json
import os
import shutil
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import export_hf  # noqa: E402
import reference_scorer  # noqa: E402
import tiny_hf  # noqa: E402

FAMILIES = ("qwen2-vl", "internvl3.5", "llava-onevision", "llava-onevision-projector")
RAW_FAMILIES = ("qwen2-vl", "internvl3.5", "llava-onevision")
HF_CLASSES = {"qwen2-vl": "Qwen2VLForConditionalGeneration", "internvl3.5": "InternVLForConditionalGeneration",
              "llava-onevision": "LlavaOnevisionForConditionalGeneration"}


def later_checkpoint(fam, ckpt, out):
    """The same architecture with other weights (every float parameter moved by seeded noise), saved sharded with
    the tokenizer and processor files next to it, as a training job's later save_pretrained would leave it."""
    import transformers
    model = getattr(transformers, HF_CLASSES[fam]).from_pretrained(ckpt, dtype=torch.float32)
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.05)
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out, safe_serialization=True, max_shard_size="300KB")
    for name in os.listdir(ckpt):
        if not name.startswith("model") and name != "config.json":
            shutil.copy(os.path.join(ckpt, name), os.path.join(out, name))
    shards = [n for n in os.listdir(out) if n.endswith(".safetensors")]
    if len(shards) < 2 or not os.path.exists(os.path.join(out, "model.safetensors.index.json")):
        raise SystemExit(f"{out}: expected a sharded save, got {shards}")
    return out


def build_raw(fam, root, bench):
    """Architecture package from the first checkpoint, a second sharded checkpoint and its reference scores."""
    times = {}
    ckpt = os.path.join(root, "checkpoint")
    t = time.time()
    export_hf.export(fam, ckpt, os.path.join(root, "architecture"), "float32", architecture=True)
    times["architecture_export_s"] = time.time() - t
    if fam == "qwen2-vl":
        # The production dtype: Java loads float32 checkpoint weights into a bfloat16 package.
        export_hf.export(fam, ckpt, os.path.join(root, "architecture-bf16"), "bfloat16", architecture=True)
    t = time.time()
    later = later_checkpoint(fam, ckpt, os.path.join(root, "checkpoint-b"))
    ref = reference_scorer.make_reference(fam, later)
    rows = reference_scorer.score_benchmark(ref, bench, os.path.join(root, "reference-b.jsonl"))
    times["later_checkpoint_reference_s"] = time.time() - t
    return {"samples": len(rows), "times": times}


def build_family(fam, out, bench, tol):
    root = os.path.join(out, fam)
    times = {}
    t = time.time()
    if fam == "llava-onevision-projector":
        tiny_hf.build(fam, root)                 # root/{checkpoint,model_base,vision_tower}
        ckpt, base, tower = (os.path.join(root, d) for d in ("checkpoint", "model_base", "vision_tower"))
    else:
        ckpt, base, tower = os.path.join(root, "checkpoint"), None, None
        tiny_hf.build(fam, ckpt)
    times["build_s"] = time.time() - t
    export_family = "llava-onevision" if fam.startswith("llava") else fam
    t = time.time()
    cfg = export_hf.export(export_family, ckpt, os.path.join(root, "package"), "float32", base, tower)
    times["export_s"] = time.time() - t
    t = time.time()
    ref = reference_scorer.make_reference(export_family, ckpt, base, tower)
    ref_path = os.path.join(root, "reference.jsonl")
    rows = reference_scorer.score_benchmark(ref, bench, ref_path)
    times["reference_s"] = time.time() - t
    t = time.time()
    parity = reference_scorer.package_parity(ref, os.path.join(root, "package"), bench, rows)
    times["package_parity_s"] = time.time() - t
    worst = max(max(r["perCandidate"]["dSds"], r["packed"]["dSds"]) for r in parity)
    bad = [r for r in parity for k in ("perCandidate", "packed")
           if r[k]["dSds"] > tol or not r[k]["sameCorrect"] or not r[k]["sameCounts"]]
    with open(ref_path + ".package-parity.json", "w") as f:
        json.dump({"maxAbsDSds": worst, "samples": parity}, f, indent=1)
    checks = {k: v.get("max_abs_diff") for k, v in cfg["export"]["checks"].items() if "max_abs_diff" in v}
    return {"samples": len(rows), "times": times, "exportChecks": checks, "packageVsReferenceMaxAbsDSds": worst,
            "failures": bad}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--bench", help="benchmark folder in M3-Bench layout (default: OUT/benchmark, built here)")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max |dSDS| package vs reference")
    ap.add_argument("--raw-only", action="store_true",
                    help="only add the raw-checkpoint fixtures (architecture, checkpoint-b) to an OUT built before")
    args = ap.parse_args()
    torch.manual_seed(0)
    start = time.time()
    os.makedirs(args.out, exist_ok=True)
    if args.raw_only:
        with open(os.path.join(args.out, "summary.json")) as f:
            summary = json.load(f)
        for fam in [f for f in args.families.split(",") if f in RAW_FAMILIES]:
            res = build_raw(fam, os.path.join(args.out, fam), args.bench or summary["benchmark"])
            summary["families"].setdefault(fam, {})["raw"] = res
            print(f"{fam} raw: {res}", flush=True)
        with open(os.path.join(args.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
        return
    bench = args.bench or tiny_hf.build_benchmark(os.path.join(args.out, "benchmark"))
    summary = {"benchmark": os.path.abspath(bench), "families": {}}
    failed = []
    for fam in args.families.split(","):
        res = build_family(fam, args.out, bench, args.tolerance)
        if fam in RAW_FAMILIES:
            res["raw"] = build_raw(fam, os.path.join(args.out, fam), bench)
        summary["families"][fam] = res
        t = res["times"]
        print(f"{fam}: {res['samples']} samples; build {t['build_s']:.1f}s, export {t['export_s']:.1f}s, "
              f"reference {t['reference_s']:.1f}s, package parity {t['package_parity_s']:.1f}s; "
              f"export checks {res['exportChecks']}; package vs reference max |dSDS| "
              f"{res['packageVsReferenceMaxAbsDSds']:.3g}", flush=True)
        if res["failures"]:
            failed.append(fam)
    summary["total_s"] = time.time() - start
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"fixtures in {args.out}: {summary['total_s']:.1f}s")
    if failed:
        raise SystemExit(f"package differs from the reference for {failed}: see OUT/<family>/reference.jsonl"
                         f".package-parity.json")


if __name__ == "__main__":
    main()
