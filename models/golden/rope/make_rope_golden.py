"""M-RoPE golden positions from the real Qwen2VLModel.get_rope_index (transformers in the pinned venv).

The Java side computes Qwen2-VL's 3-D position ids itself (package contract 2); this script asks transformers
for the positions of several token layouts so that a JUnit test (MRopeGoldenTest) can compare them exactly.
A tiny randomly initialised config is enough: get_rope_index only reads the config's token ids and merge size.

Run:  /work/main/.venv/bin/python models/golden/rope/make_rope_golden.py models/golden/rope/rope-golden.json
"""
import json
import sys

import torch
import transformers
from transformers import Qwen2VLConfig
from transformers.models.qwen2_vl.modeling_qwen2_vl import Qwen2VLModel

VISION_START, VISION_END, IMAGE, VIDEO = 58, 59, 60, 61
MERGE = 2


def tiny_model():
    cfg = Qwen2VLConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
        num_key_value_heads=1, rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]},
        vision_config={"depth": 1, "embed_dim": 16, "hidden_size": 32, "num_heads": 2, "mlp_ratio": 2,
                       "spatial_merge_size": MERGE, "patch_size": 14, "temporal_patch_size": 2},
        image_token_id=IMAGE, video_token_id=VIDEO, vision_start_token_id=VISION_START,
        vision_end_token_id=VISION_END)
    torch.manual_seed(0)
    return Qwen2VLModel(cfg).eval()


def text(n, start=1):
    # Ordinary token ids below the special ones; their values do not matter to get_rope_index.
    return [(start + i) % 50 + 1 for i in range(n)]


def image(grid):
    t, h, w = grid
    return [VISION_START] + [IMAGE] * (t * (h // MERGE) * (w // MERGE)) + [VISION_END]


# Each layout: list of ("text", n) / ("image", (t,h,w) in patches) parts; the last text part stands for a
# candidate appended to the prompt (Java checks it as a per-candidate row too).
LAYOUTS = {
    "one-image-question-candidate": [("image", (1, 16, 16)), ("text", 7), ("text", 3)],
    "text-before-and-after-one-wide-image": [("text", 4), ("image", (1, 16, 36)), ("text", 5), ("text", 2)],
    "two-images-text-between": [("image", (1, 16, 24)), ("text", 3), ("image", (1, 32, 12)), ("text", 6), ("text", 4)],
    "five-images-mixed-grids-some-adjacent": [
        ("image", (1, 20, 28)), ("image", (1, 12, 40)), ("text", 2), ("image", (1, 36, 16)),
        ("image", (1, 16, 16)), ("text", 5), ("image", (1, 24, 60)), ("text", 8), ("text", 2)],
    "mmmu-pro-inline-images-and-image-options": [
        ("text", 6), ("image", (1, 28, 20)), ("text", 9), ("image", (1, 16, 22)), ("text", 3),
        ("image", (1, 18, 18)), ("text", 4), ("text", 1)],
    "tall-image-h-greater-than-w": [("image", (1, 64, 8)), ("text", 3), ("text", 3)],
    "text-only": [("text", 12), ("text", 2)],
}


def build(parts):
    ids, grids = [], []
    for i, (kind, arg) in enumerate(parts):
        if kind == "text":
            ids += text(arg, start=i * 7)
        else:
            ids += image(arg)
            grids.append(list(arg))
    return ids, grids


def main(out):
    model = tiny_model()
    cases = []
    for name, parts in LAYOUTS.items():
        ids, grids = build(parts)
        candidate = parts[-1][1]
        input_ids = torch.tensor([ids], dtype=torch.long)
        grid_thw = torch.tensor(grids, dtype=torch.long) if grids else None
        with torch.no_grad():
            pos, _ = model.get_rope_index(input_ids, grid_thw, None, torch.ones_like(input_ids))
        cases.append({"name": name, "ids": ids, "grids": grids, "candidateTokens": candidate,
                      "positions": pos[:, 0, :].tolist()})
    doc = {"generator": "models/golden/rope/make_rope_golden.py", "transformers": transformers.__version__,
           "torch": torch.__version__, "imageTokenId": IMAGE, "visionStartTokenId": VISION_START,
           "visionEndTokenId": VISION_END, "mergeSize": MERGE, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} layouts to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/golden/rope/rope-golden.json")
