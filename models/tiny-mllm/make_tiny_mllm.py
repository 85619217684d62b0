#!/usr/bin/python3
"""Builds RADAR's tiny multimodal test model and its demo checkpoints (torch 1.13 + numpy only, CPU, seeded).

Run from the repository root with Debian's interpreter (the one that has python3-torch):

    /usr/bin/python3 models/tiny-mllm/make_tiny_mllm.py [--steps 450] [--out models/tiny-mllm]

Writes, under --out:
  tokenizer.json            hand-written Hugging Face tokenizer (character level, BPE model without merges)
  radar-model.json          package config (image size, mean/std, placeholder, prompt template, contract)
  checkpoints/step-NNNNNN/  one full scoring package per snapshot (model.pt + copies of the two JSON files,
                            so that every checkpoint directory is self-contained, as a checkpoint event expects)
  golden/                   a drawn image and the eager-PyTorch per-token outputs of the last checkpoint,
                            which the Java tests compare against (the whole contract, end to end)
  tokenizer-check.json      strings and the ids this script assigns them (Java checks DJL gives the same ids)

The model: 128x128 image -> 8x8 patches (256 image tokens) -> linear patch embedding + MLP -> projector ->
2-layer causal transformer LM (attention written by hand: torch 1.13 has no SDPA). It is trained briefly on
the perception templates only (colour, shape, count, position), so perception improves across the snapshots
while reasoning stays flat: the demo's story of stagnating reasoning.
"""
import argparse
import json
import math
import os
import re
import shutil
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from radar_contract import (PROMPT_PRESETS, RadarScoringModule, causal_allowed,  # noqa: E402
                            check_packed_equals_per_candidate)

# ---------------------------------------------------------------- tokenizer (character level)
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>", "<image>"]
CHARS = ["\n"] + [chr(c) for c in range(32, 127)]
VOCAB = {tok: i for i, tok in enumerate(SPECIALS + CHARS)}
PAD, BOS, EOS, UNK, IMAGE = (VOCAB[t] for t in SPECIALS)
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")

IMAGE_SIZE = 128
PATCH = 8
TOKENS_PER_IMAGE = (IMAGE_SIZE // PATCH) ** 2  # 256
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]
MAX_SEQ = 1024
# The prompt template used in training IS the one written to radar-model.json (single source: these constants).
PROMPT_TEMPLATE = PROMPT_PRESETS["tiny"]["template"]
IMAGE_TEMPLATE = PROMPT_PRESETS["tiny"]["image"]
ANSWER_TEMPLATE = PROMPT_PRESETS["tiny"]["answer"]


def encode(text):
    """Same ids as tokenizer.json: special tokens are matched first, every other character is one token."""
    ids = []
    for part in _SPECIAL_RE.split(text):
        if part in VOCAB and part in SPECIALS:
            ids.append(VOCAB[part])
        else:
            ids.extend(VOCAB.get(ch, UNK) for ch in part)
    return ids


def expand_images(ids):
    out = []
    for i in ids:
        out.extend([IMAGE] * TOKENS_PER_IMAGE if i == IMAGE else [i])
    return out


def render_prompt(question, n_images=1):
    return PROMPT_TEMPLATE.replace("{images}", IMAGE_TEMPLATE * n_images).replace("{question}", question)


def tokenizer_json():
    added = [{"id": VOCAB[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for s in SPECIALS]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": VOCAB, "merges": []},
    }


def radar_model_json():
    return {
        "format": "radar-model/1",
        "name": "tiny-mllm",
        "family": "tiny",
        "dtype": "float32",
        "maxSequenceLength": MAX_SEQ,
        "supportsPackedMask": True,
        "vocabSize": len(VOCAB),
        "image": {"size": [IMAGE_SIZE, IMAGE_SIZE], "mean": MEAN, "std": STD, "resize": "bilinear",
                  "tiling": {"grid": [1, 1], "thumbnail": False}},
        "imagePlaceholder": "<image>",
        "tokensPerImage": TOKENS_PER_IMAGE,
        "prompt": {"template": PROMPT_TEMPLATE, "image": IMAGE_TEMPLATE, "answer": ANSWER_TEMPLATE},
        "forward": {
            "inputs": ["input_ids[B,T] int64 (placeholder repeated tokensPerImage times per tile)",
                       "attention_mask[B,T,T] bool (allowed[b,i,j]: query i sees key j)",
                       "position_ids[B,T] int64 (packed candidates continue from the prompt length)",
                       "pixel_values[B,N,3,H,W] float32 (normalised tiles, prompt order, zero padded)",
                       "target_pos[B,M] int64 (position whose logits predict the scored token)",
                       "target_ids[B,M] int64 (scored token)"],
            "outputs": ["raw_logit[B,M] float32", "logsumexp[B,M] float32"],
        },
    }


# ---------------------------------------------------------------- model
class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads            # module attributes, so torch.jit.script would also see constants
        self.head_dim = d // heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)

    def forward(self, x, mask4d):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim)) + mask4d
        y = torch.softmax(att, dim=-1) @ v
        x = x + self.out(y.transpose(1, 2).reshape(b, t, d))
        return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))


class TinyMllm(RadarScoringModule):
    def __init__(self, vocab=len(VOCAB), d=64, heads=4, layers=2, ff=256, vd=64):
        super().__init__(IMAGE)
        self.patch = PATCH
        self.grid = IMAGE_SIZE // PATCH
        self.patch_embed = nn.Linear(3 * PATCH * PATCH, vd)
        self.patch_pos = nn.Parameter(torch.randn(TOKENS_PER_IMAGE, vd) * 0.02)
        self.v_ln = nn.LayerNorm(vd)
        self.v_mlp1 = nn.Linear(vd, 2 * vd)
        self.v_mlp2 = nn.Linear(2 * vd, vd)
        self.proj1 = nn.Linear(vd, d)
        self.proj2 = nn.Linear(d, d)
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(MAX_SEQ, d)
        self.blocks = nn.ModuleList([Block(d, heads, ff) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def embed_tokens(self, input_ids):
        return self.tok(input_ids)

    def encode_images(self, pixel_values):
        b, n = pixel_values.shape[0], pixel_values.shape[1]
        g, p = self.grid, self.patch
        x = pixel_values.to(self.patch_embed.weight.dtype).reshape(b * n, 3, g, p, g, p)
        x = x.permute(0, 2, 4, 1, 3, 5).reshape(b * n, g * g, 3 * p * p)
        x = self.patch_embed(x) + self.patch_pos
        x = x + self.v_mlp2(F.gelu(self.v_mlp1(self.v_ln(x))))
        x = self.proj2(F.gelu(self.proj1(x)))
        return x.reshape(b, n * g * g, x.shape[-1])

    def decode(self, inputs_embeds, mask4d, position_ids, input_ids):
        x = inputs_embeds + self.pos(position_ids)
        for blk in self.blocks:
            x = blk(x, mask4d)
        return self.ln_f(x)

    def head(self):
        return self.lm_head


# ---------------------------------------------------------------- synthetic perception data (numpy-drawn)
COLORS = {"red": (220, 30, 30), "green": (30, 160, 40), "blue": (30, 60, 220), "yellow": (235, 205, 20),
          "purple": (140, 40, 170), "orange": (250, 140, 20)}
SHAPES = ["circle", "square", "triangle", "diamond"]
POSITIONS = ["left", "right", "top", "bottom"]
QUESTIONS = {"color": "What color is the shape?", "shape": "What shape is shown?",
             "count": "How many shapes are there?", "position": "Where is the shape?"}
ANSWERS = {"color": list(COLORS), "shape": SHAPES, "count": [str(i) for i in range(1, 7)], "position": POSITIONS}
_YY, _XX = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]


def shape_mask(kind, cx, cy, r):
    dx, dy = _XX - cx, _YY - cy
    if kind == "circle":
        return dx * dx + dy * dy <= r * r
    if kind == "square":
        return (np.abs(dx) <= 0.85 * r) & (np.abs(dy) <= 0.85 * r)
    if kind == "diamond":
        return np.abs(dx) + np.abs(dy) <= r
    return (dy >= -r) & (dy <= r) & (np.abs(dx) <= (dy + r) / 2.0)  # triangle, apex up


def draw(shapes):
    img = np.full((IMAGE_SIZE, IMAGE_SIZE, 3), 255, dtype=np.uint8)
    for kind, color, cx, cy, r in shapes:
        img[shape_mask(kind, cx, cy, r)] = COLORS[color]
    return img


def make_example(task, rng):
    """Returns (image uint8 HxWx3, question, correct answer) for one perception task."""
    colors, kinds = list(COLORS), SHAPES
    if task in ("color", "shape"):
        r = int(rng.integers(18, 31))
        kind, color = kinds[rng.integers(4)], colors[rng.integers(6)]
        cx, cy = rng.integers(r + 2, IMAGE_SIZE - r - 2, size=2)
        return draw([(kind, color, cx, cy, r)]), QUESTIONS[task], (color if task == "color" else kind)
    if task == "count":
        n = int(rng.integers(1, 7))
        placed = []
        while len(placed) < n:
            r = int(rng.integers(8, 13))
            cx, cy = rng.integers(r + 2, IMAGE_SIZE - r - 2, size=2)
            if all((cx - px) ** 2 + (cy - py) ** 2 > (r + pr + 4) ** 2 for _, _, px, py, pr in placed):
                placed.append((kinds[rng.integers(4)], colors[rng.integers(6)], cx, cy, r))
        return draw(placed), QUESTIONS[task], str(n)
    where = POSITIONS[rng.integers(4)]
    r = int(rng.integers(12, 19))
    near, far, mid = (r + 3, 40), (88, IMAGE_SIZE - r - 3), (44, 84)
    cx = rng.integers(*{"left": near, "right": far}.get(where, mid))
    cy = rng.integers(*{"top": near, "bottom": far}.get(where, mid))
    return draw([(kinds[rng.integers(4)], colors[rng.integers(6)], cx, cy, r)]), QUESTIONS[task], where


def to_pixels(img):
    x = torch.from_numpy(img).float().div(255.0).permute(2, 0, 1)
    return (x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)


def build_rows(items):
    """items: (pixels[3,H,W], question, answer) -> padded model inputs scoring the answer tokens."""
    seqs, tgts = [], []
    for _, q, a in items:
        prompt = expand_images(encode(render_prompt(q)))
        ans = encode(ANSWER_TEMPLATE.replace("{answer}", a))
        seqs.append(prompt + ans)
        tgts.append([(len(prompt) - 1 + i, tok) for i, tok in enumerate(ans)])
    t, m = max(map(len, seqs)), max(map(len, tgts))
    ids = torch.full((len(seqs), t), PAD, dtype=torch.long)
    tpos = torch.zeros((len(seqs), m), dtype=torch.long)
    tids = torch.zeros((len(seqs), m), dtype=torch.long)
    valid = torch.zeros((len(seqs), m))
    for i, (s, tg) in enumerate(zip(seqs, tgts)):
        ids[i, :len(s)] = torch.tensor(s)
        for j, (p, tok) in enumerate(tg):
            tpos[i, j], tids[i, j], valid[i, j] = p, tok, 1.0
    pos = torch.arange(t).unsqueeze(0).expand(len(seqs), t).contiguous()
    pix = torch.stack([it[0] for it in items]).unsqueeze(1)
    return (ids, causal_allowed([len(s) for s in seqs], t), pos, pix, tpos, tids), valid


def train(model, steps, snapshot_steps, save, seed, batch=8):
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    tasks = list(QUESTIONS)
    start = time.time()
    for step in range(steps + 1):
        if step in snapshot_steps:
            save(step)
        if step == steps:
            break
        items = [make_example(tasks[rng.integers(4)], rng) for _ in range(batch)]
        inputs, valid = build_rows([(to_pixels(im), q, a) for im, q, a in items])
        raw, lse = model(*inputs)
        loss = ((lse - raw) * valid).sum() / valid.sum()
        lr = 3e-3 * min(1.0, (step + 1) / 20)
        for grp in opt.param_groups:
            grp["lr"] = lr
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 20 == 0:
            print(f"step {step:4d} loss {loss.item():.3f} ({time.time() - start:.0f}s)", flush=True)


def candidate_outputs(model, pixels, question, candidates):
    """Eager per-candidate reference outputs: per-token raw logits and logsumexps of each candidate."""
    out = []
    for c in candidates:
        (inputs, valid) = build_rows([(pixels, question, c)])
        raw, lse = model(*inputs)
        n = int(valid.sum().item())
        out.append({"candidate": c, "tokens": inputs[5][0, :n].tolist(),
                    "rawLogits": raw[0, :n].tolist(), "logsumexp": lse[0, :n].tolist()})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--steps", type=int, default=450)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--snapshots", default="0,37,75,100,150,300,450", help="steps to save (plus the last one)")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    out = args.out
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f, indent=1)
    with open(os.path.join(out, "radar-model.json"), "w") as f:
        json.dump(radar_model_json(), f, indent=2)
    checks = ["<bos><image>\nQuestion: What color is the shape?\nAnswer: red", "Hello, World! 123 ~{}",
              "a<image>b<pad>\n<unk>", "caf\u00e9 \u00fcber"]
    with open(os.path.join(out, "tokenizer-check.json"), "w") as f:
        json.dump([{"text": s, "ids": encode(s)} for s in checks], f, indent=1)

    model = TinyMllm().eval()
    ex_rng = np.random.default_rng(7)
    ex_img, _, _ = make_example("color", ex_rng)
    example, _ = build_rows([(to_pixels(ex_img), QUESTIONS["color"], "green")] * 2)
    ckpt_root = os.path.join(out, "checkpoints")
    shutil.rmtree(ckpt_root, ignore_errors=True)
    last = {}

    def save(step):
        d = os.path.join(ckpt_root, f"step-{step:06d}")
        os.makedirs(d, exist_ok=True)
        model.eval()
        with torch.no_grad():
            traced = torch.jit.trace(model, example, check_trace=False)
        traced.save(os.path.join(d, "model.pt"))
        for name in ("tokenizer.json", "radar-model.json"):
            shutil.copy(os.path.join(out, name), os.path.join(d, name))
        last["dir"], last["traced"] = d, traced
        model.train()
        print(f"saved {d}", flush=True)

    # Snapshot steps are a contract: other tests and the demo name checkpoints (e.g. step-000100).
    snaps = sorted({int(s) for s in args.snapshots.split(",") if int(s) <= args.steps} | {args.steps})
    train(model.train(), args.steps, snaps, save, args.seed)
    model.eval()

    # Golden outputs of the last checkpoint, plus a trace check on shapes unlike the trace example.
    gold = os.path.join(out, "golden")
    os.makedirs(gold, exist_ok=True)
    rng = np.random.default_rng(99)
    golden = []
    for task in QUESTIONS:
        img, q, a = make_example(task, rng)
        name = f"{task}.png"
        from PIL import Image
        Image.fromarray(img).save(os.path.join(gold, name))
        cands = [a] + [x for x in ANSWERS[task] if x != a][:3]
        with torch.no_grad():
            golden.append({"task": task, "image": name, "question": q, "candidates": cands,
                           "outputs": candidate_outputs(model, to_pixels(img), q, cands)})
    with open(os.path.join(gold, "golden.json"), "w") as f:
        json.dump({"checkpoint": os.path.basename(last["dir"]), "samples": golden}, f, indent=1)

    with torch.no_grad():
        items = [(to_pixels(make_example(t, rng)[0]), QUESTIONS[t], a) for t, a in
                 [("count", "3"), ("shape", "triangle"), ("position", "top")]]
        inputs, _ = build_rows(items)
        e_raw, e_lse = model(*inputs)
        t_raw, t_lse = last["traced"](*inputs)
        loaded = torch.jit.load(os.path.join(last["dir"], "model.pt"))
        l_raw, _ = loaded(*inputs)
        diff = max((e_raw - t_raw).abs().max().item(), (e_lse - t_lse).abs().max().item(),
                   (e_raw - l_raw).abs().max().item())
        print(f"trace check on new shapes: max |eager - traced| = {diff:.2e}")
        assert diff < 1e-4, diff
        # The packed layout (shared contract helpers) gives the per-candidate numbers: what the Java engine relies on.
        img = to_pixels(make_example("shape", rng)[0]).unsqueeze(0)
        prompt = expand_images(encode(render_prompt(QUESTIONS["shape"])))
        cands = [encode(ANSWER_TEMPLATE.replace("{answer}", a)) for a in ANSWERS["shape"]]
        pdiff = check_packed_equals_per_candidate(loaded, prompt, cands, img, PAD)
        print(f"packed vs per-candidate: max |diff| = {pdiff:.2e}")
        assert pdiff < 1e-4, pdiff


if __name__ == "__main__":
    main()
