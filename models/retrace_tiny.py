#!/usr/bin/env python3
"""Re-traces the committed tiny contract-1 packages (models/tiny-mllm/checkpoints/step-*/model.pt) so that they
carry no device constant, without retraining them.

    /work/main/.venv/bin/python models/retrace_tiny.py [--check]   # --check: compare only, write nothing

The packages were traced with torch 1.13 from radar_contract.additive_mask, which then built its constants
with torch.zeros/full(..., device=<trace device>): the TorchScript code holds device=torch.device("cpu").
For each checkpoint this script loads the committed module, copies its weights into make_tiny_mllm.TinyMllm
(the same module definition, now with the device-free additive_mask), traces it with the installed torch on
the example make_tiny_mllm traces with, and only writes model.pt back if the new module gives the same
raw logits and logsumexps as the committed one on the golden samples (models/tiny-mllm/golden: every
candidate of every sample) and on a batched, padded input, and if its code has no device constant.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "tiny-mllm")
sys.path.insert(0, HERE)
sys.path.insert(0, TINY)

import make_tiny_mllm as tiny  # noqa: E402
from export_hf import device_constants  # noqa: E402


def golden_inputs():
    with open(os.path.join(TINY, "golden", "golden.json")) as f:
        gold = json.load(f)
    batches = []
    for s in gold["samples"]:
        pixels = tiny.to_pixels(np.array(Image.open(os.path.join(TINY, "golden", s["image"])).convert("RGB")))
        for c in s["candidates"]:
            batches.append(tiny.build_rows([(pixels, s["question"], c)])[0])
        # All candidates of the sample in one padded batch (padding rows, other shapes than the trace example).
        batches.append(tiny.build_rows([(pixels, s["question"], c) for c in s["candidates"]])[0])
    return gold, batches


def trace_example():
    """The example make_tiny_mllm.main traces with."""
    ex_img, _, _ = tiny.make_example("color", np.random.default_rng(7))
    example, _ = tiny.build_rows([(tiny.to_pixels(ex_img), tiny.QUESTIONS["color"], "green")] * 2)
    return example


def retrace(path, example, batches):
    old = torch.jit.load(path)
    model = tiny.TinyMllm().eval()
    missing, unexpected = model.load_state_dict(old.state_dict(), strict=True), None
    del missing, unexpected
    with torch.no_grad():
        new = torch.jit.trace(model, example, check_trace=False)
        diff = 0.0
        for inputs in batches:
            a_raw, a_lse = old(*inputs)
            b_raw, b_lse = new(*inputs)
            diff = max(diff, (a_raw - b_raw).abs().max().item(), (a_lse - b_lse).abs().max().item())
    return old, new, diff


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="report only; do not rewrite model.pt")
    ap.add_argument("--tolerance", type=float, default=0.0,
                    help="largest |old - new| accepted (default 0: bit-identical outputs)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    gold, batches = golden_inputs()
    example = trace_example()
    root = os.path.join(TINY, "checkpoints")
    worst = 0.0
    for step in sorted(os.listdir(root)):
        path = os.path.join(root, step, "model.pt")
        old, new, diff = retrace(path, example, batches)
        worst = max(worst, diff)
        before, after = device_constants(old), device_constants(new)
        status = "ok" if diff <= args.tolerance and not after else "REFUSED"
        print(f"{step}: max |old - new| = {diff:.3g}; device constants before {len(before)}, after {len(after)}: {status}")
        if status != "ok":
            raise SystemExit(f"{path}: not rewritten ({'outputs differ' if diff > args.tolerance else after})")
        if not args.check:
            new.save(path)
    # The golden file's numbers themselves (eager outputs of the last checkpoint) must still be reproduced.
    last = torch.jit.load(os.path.join(root, gold["checkpoint"], "model.pt"))
    gdiff = 0.0
    for s in gold["samples"]:
        pixels = tiny.to_pixels(np.array(Image.open(os.path.join(TINY, "golden", s["image"])).convert("RGB")))
        for out in s["outputs"]:
            inputs, valid = tiny.build_rows([(pixels, s["question"], out["candidate"])])
            raw, lse = last(*inputs)
            n = int(valid.sum().item())
            gdiff = max(gdiff, max(abs(a - b) for a, b in zip(raw[0, :n].tolist(), out["rawLogits"])),
                        max(abs(a - b) for a, b in zip(lse[0, :n].tolist(), out["logsumexp"])))
    print(f"max |old - new| over all checkpoints {worst:.3g}; {gold['checkpoint']} vs golden.json {gdiff:.3g}")


if __name__ == "__main__":
    main()
