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
The benchmark is --bench (M3-Bench layout) or OUT/benchmark, built by tiny_hf.build_benchmark.
OUT/summary.json holds the timings and the max differences; the script fails if any parity check fails.
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import export_hf  # noqa: E402
import reference_scorer  # noqa: E402
import tiny_hf  # noqa: E402

FAMILIES = ("qwen2-vl", "internvl3.5", "llava-onevision", "llava-onevision-projector")


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
    args = ap.parse_args()
    torch.manual_seed(0)
    start = time.time()
    os.makedirs(args.out, exist_ok=True)
    bench = args.bench or tiny_hf.build_benchmark(os.path.join(args.out, "benchmark"))
    summary = {"benchmark": os.path.abspath(bench), "families": {}}
    failed = []
    for fam in args.families.split(","):
        res = build_family(fam, args.out, bench, args.tolerance)
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
