#!/usr/bin/env python3
"""Wraps a Hugging Face Qwen2-VL, LLaVA-OneVision or InternVL3.5 checkpoint into a RADAR scoring package.

    python models/export_hf.py --family qwen2-vl --checkpoint Qwen/Qwen2-VL-2B --out pkg/qwen2vl-2b \
        [--dtype bfloat16] [--device cuda] [--image-size 448] [--tiles 1x1] [--thumbnail]

Needs torch and transformers (>= 4.45; custom 4-D attention masks) on the user's machine; InternVL3.5's
*-Pretrained checkpoints also need --trust-remote-code. Writes into --out:

  model.pt          TorchScript (torch.jit.trace) of a RadarScoringModule subclass: the forward contract of
                    models/radar_contract.py (raw logit + logsumexp of the scored tokens only)
  tokenizer.json    the checkpoint's fast tokenizer (backend_tokenizer.save)
  radar-model.json  image size / mean / std, placeholder and tokens per tile, prompt preset, dtype, max length,
                    supportsPackedMask (set from a check run here, see below)

Everything that is not model-specific (placeholder merging, the [B,T,T] -> additive 4-D mask, gathering only the
scored positions before the LM head) is inherited from radar_contract.RadarScoringModule, the same code the
tiny test model (models/tiny-mllm) runs in CI; this file only adapts the vision tower, the position ids and
the decoder call of each family.

Before writing, the script checks on a random image that (1) the traced module equals the eager one on inputs
of other shapes and (2) the packed-candidates layout equals the per-candidate one (radar_contract
.check_packed_equals_per_candidate); if (2) fails (a transformers version that ignores custom 4-D masks),
supportsPackedMask is written as false and RADAR scores per candidate.

Known deviations from each family's own preprocessing (fixed-size packages keep tokens per image constant):
  qwen2-vl         image resized to a fixed --image-size (multiple of 28) instead of dynamic resolution
  llava-onevision  base 384x384 features only (no anyres grid, no image_newline tokens)
  internvl3.5      fixed tile grid from --tiles/--thumbnail instead of per-image aspect-ratio tiling
"""
import argparse
import json
import os
import shutil
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from radar_contract import (PROMPT_PRESETS, RadarScoringModule, batch_rows,  # noqa: E402
                            check_packed_equals_per_candidate, per_candidate_rows)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def attr_path(obj, *paths):
    """First existing dotted attribute path: transformers moved sub-modules between versions."""
    for p in paths:
        cur = obj
        for name in p.split("."):
            cur = getattr(cur, name, None)
            if cur is None:
                break
        if cur is not None:
            return cur
    raise AttributeError(f"{type(obj).__name__} has none of {paths}")


def language_parts(hf):
    """(decoder base model with embed_tokens, lm_head) across transformers layouts."""
    head = attr_path(hf, "lm_head", "language_model.lm_head")
    base = attr_path(hf, "model.language_model", "language_model.model", "model")
    return base, head


class HfScoringModule(RadarScoringModule):
    """Shared decoder call for Hugging Face decoders that accept inputs_embeds + a custom 4-D additive mask."""

    def __init__(self, hf, image_token_id):
        super().__init__(image_token_id)
        self.lm, self.lm_head = language_parts(hf)

    def embed_tokens(self, input_ids):
        return self.lm.get_input_embeddings()(input_ids)

    def lm_positions(self, position_ids, input_ids):
        return position_ids

    def decode(self, inputs_embeds, mask4d, position_ids, input_ids):
        out = self.lm(inputs_embeds=inputs_embeds, attention_mask=mask4d,
                      position_ids=self.lm_positions(position_ids, input_ids), use_cache=False, return_dict=True)
        return out.last_hidden_state

    def head(self):
        return self.lm_head


class Qwen2VlModule(HfScoringModule):
    def __init__(self, hf, image_token_id, image_size):
        super().__init__(hf, image_token_id)
        vc = hf.config.vision_config
        self.visual = attr_path(hf, "model.visual", "visual")
        self.patch, self.merge, self.temporal = vc.patch_size, vc.spatial_merge_size, vc.temporal_patch_size
        if image_size % (self.patch * self.merge):
            raise SystemExit(f"--image-size must be a multiple of {self.patch * self.merge}")
        self.grid = image_size // self.patch                      # patches per side
        self.side = self.grid // self.merge                       # merged tokens per side
        self.tokens = self.side * self.side

    def encode_images(self, pixel_values):
        b, n, c, h, w = pixel_values.shape
        g, p, m, tp = self.grid, self.patch, self.merge, self.temporal
        x = pixel_values.reshape(b * n, 1, 1, c, h, w).expand(b * n, 1, tp, c, h, w)
        # Qwen2VLImageProcessor's patch flattening, with a leading image axis.
        x = x.reshape(b * n, 1, tp, c, g // m, m, p, g // m, m, p)
        x = x.permute(0, 1, 4, 7, 5, 8, 3, 2, 6, 9)
        flat = x.reshape(b * n * g * g, c * tp * p * p).to(self.visual.patch_embed.proj.weight.dtype)
        grid_thw = torch.tensor([[1, g, g]], device=pixel_values.device).repeat(b * n, 1)
        feats = self.visual(flat, grid_thw=grid_thw)              # [b*n*tokens, D]
        return feats.reshape(b, n * self.tokens, feats.shape[-1])

    def lm_positions(self, position_ids, input_ids):
        """M-RoPE (3 x [B,T]) from RADAR's 1-D positions: an image spans max(side, side) positions instead of
        tokens, so later text shifts back by (tokens - side) per complete image before it; image tokens get
        (t, h, w) = (s, s + row, s + col) from their image's start s. Works for packed rows too, since
        candidates hold no image tokens and their 1-D positions continue from the prompt."""
        is_img = (input_ids == self.image_token_id).long()
        cum = torch.cumsum(is_img, dim=1)                          # image tokens up to and including here
        shrink = self.tokens - self.side
        k = (cum - 1).clamp(min=0)
        img_no, in_img = k // self.tokens, k % self.tokens
        text = position_ids - (cum // self.tokens) * shrink
        start = position_ids - in_img - img_no * shrink
        t = torch.where(is_img.bool(), start, text)
        hh = torch.where(is_img.bool(), start + in_img // self.side, text)
        ww = torch.where(is_img.bool(), start + in_img % self.side, text)
        return torch.stack([t, hh, ww], dim=0)


class LlavaOneVisionModule(HfScoringModule):
    def __init__(self, hf, image_token_id):
        super().__init__(hf, image_token_id)
        self.tower = attr_path(hf, "model.vision_tower", "vision_tower")
        self.projector = attr_path(hf, "model.multi_modal_projector", "multi_modal_projector")
        self.layer = hf.config.vision_feature_layer
        self.drop_cls = hf.config.vision_feature_select_strategy == "default"

    def encode_images(self, pixel_values):
        b, n, c, h, w = pixel_values.shape
        x = pixel_values.reshape(b * n, c, h, w).to(next(self.tower.parameters()).dtype)
        hs = self.tower(x, output_hidden_states=True).hidden_states[self.layer]
        if self.drop_cls:
            hs = hs[:, 1:]
        feats = self.projector(hs)
        return feats.reshape(b, n * feats.shape[1], feats.shape[-1])


class InternVlModule(HfScoringModule):
    def __init__(self, hf, image_token_id):
        super().__init__(hf, image_token_id)
        self.hf = hf

    def encode_images(self, pixel_values):
        b, n, c, h, w = pixel_values.shape
        x = pixel_values.reshape(b * n, c, h, w).to(next(self.hf.parameters()).dtype)
        if hasattr(self.hf, "extract_feature"):                   # OpenGVLab remote code
            feats = self.hf.extract_feature(x)
        else:                                                     # transformers-native InternVL (-HF repos)
            feats = self.hf.get_image_features(pixel_values=x, vision_feature_layer=-1,
                                               vision_feature_select_strategy="default")
        return feats.reshape(b, n * feats.shape[1], feats.shape[-1])


FAMILIES = {
    "qwen2-vl": ("qwen2-vl-base", 448),
    "llava-onevision": ("llava-onevision-plain", 384),
    "internvl3.5": ("internvl3.5-pretrained", 448),
}


def load(family, checkpoint, dtype, trust):
    import transformers as tf
    kw = dict(torch_dtype=dtype, trust_remote_code=trust)
    try:
        kw["attn_implementation"] = "eager"                      # traceable, honours custom 4-D masks
        if family == "qwen2-vl":
            model = tf.Qwen2VLForConditionalGeneration.from_pretrained(checkpoint, **kw)
        elif family == "llava-onevision":
            model = tf.LlavaOnevisionForConditionalGeneration.from_pretrained(checkpoint, **kw)
        else:
            model = tf.AutoModel.from_pretrained(checkpoint, **kw)
    except TypeError:
        kw.pop("attn_implementation")
        model = tf.AutoModel.from_pretrained(checkpoint, **kw)
    tok = tf.AutoTokenizer.from_pretrained(checkpoint, trust_remote_code=trust, use_fast=True)
    try:
        proc = tf.AutoImageProcessor.from_pretrained(checkpoint, trust_remote_code=trust)
        mean, std = list(proc.image_mean), list(proc.image_std)
    except Exception:                                             # InternVL remote code: ImageNet statistics
        mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    return model.eval(), tok, mean, std


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--checkpoint", required=True, help="local directory or hub id")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", default="bfloat16", choices=sorted(DTYPES))
    ap.add_argument("--device", default="cpu", help="where to trace (cpu or cuda); the package runs on either")
    ap.add_argument("--image-size", type=int, default=None)
    ap.add_argument("--tiles", default="1x1", help="InternVL fixed tile grid ROWSxCOLS")
    ap.add_argument("--thumbnail", action="store_true", help="InternVL: add a whole-image tile to the grid")
    ap.add_argument("--trust-remote-code", action="store_true")
    args = ap.parse_args()

    preset_name, default_size = FAMILIES[args.family]
    preset = dict(PROMPT_PRESETS[preset_name])
    size = args.image_size or default_size
    dtype = DTYPES[args.dtype]
    hf, tok, mean, std = load(args.family, args.checkpoint, dtype, args.trust_remote_code)
    placeholder = preset["imagePlaceholder"]
    image_id = tok.convert_tokens_to_ids(placeholder)
    if image_id is None or image_id == tok.unk_token_id:
        raise SystemExit(f"tokenizer of {args.checkpoint} has no {placeholder} token")

    if args.family == "qwen2-vl":
        module = Qwen2VlModule(hf, image_id, size)
        tokens = module.tokens
    elif args.family == "llava-onevision":
        module = LlavaOneVisionModule(hf, image_id)
        vc = hf.config.vision_config
        tokens = (size // vc.patch_size) ** 2
    else:
        module = InternVlModule(hf, image_id)
        tokens = int(getattr(hf, "num_image_token", 256))
    preset["tokensPerImage"] = tokens
    rows, cols = (int(v) for v in args.tiles.lower().split("x"))
    tiles = rows * cols + (1 if args.thumbnail and rows * cols > 1 else 0)
    module = module.to(args.device).eval()

    def encode(text):
        return tok(text, add_special_tokens=False)["input_ids"]

    def expand(ids):
        out = []
        for i in ids:
            out.extend([image_id] * (tokens * tiles) if i == image_id else [i])
        return out

    prompt_text = preset["template"].replace("{images}", preset["image"]).replace("{question}", "What is shown?")
    prompt = expand(encode(prompt_text))
    n_raw = len(encode(prompt_text))
    cands = [encode(prompt_text + preset["answer"].replace("{answer}", a))[n_raw:] for a in ("a cat", "a dog", "nothing")]
    pixels = torch.randn(tiles, 3, size, size, device=args.device)
    pad = 0 if image_id != 0 else 1
    example = tuple(t.to(args.device) for t in batch_rows(per_candidate_rows(prompt, cands)[:2], pixels, pad))
    with torch.no_grad():
        traced = torch.jit.trace(module, example, check_trace=False)
        other = tuple(t.to(args.device) for t in batch_rows(per_candidate_rows(prompt, cands), pixels, pad))
        e_raw, e_lse = module(*other)
        t_raw, t_lse = traced(*other)
        trace_diff = max((e_raw - t_raw).abs().max().item(), (e_lse - t_lse).abs().max().item())
    tol = 1e-3 if dtype == torch.float32 else 5e-2
    if trace_diff > tol:
        raise SystemExit(f"traced module differs from eager by {trace_diff:.3g}: tracing failed for this version")
    packed_diff = check_packed_equals_per_candidate(traced, prompt, cands, pixels, pad)
    supports_packed = packed_diff <= tol
    print(f"trace check {trace_diff:.2e}; packed vs per-candidate {packed_diff:.2e} -> supportsPackedMask={supports_packed}")

    os.makedirs(args.out, exist_ok=True)
    traced.save(os.path.join(args.out, "model.pt"))
    tok.backend_tokenizer.save(os.path.join(args.out, "tokenizer.json"))
    text_cfg = getattr(hf.config, "text_config", None) or getattr(hf.config, "llm_config", None) or hf.config
    config = {
        "format": "radar-model/1",
        "name": os.path.basename(os.path.normpath(args.checkpoint)),
        "family": args.family,
        "dtype": args.dtype,
        "maxSequenceLength": int(getattr(text_cfg, "max_position_embeddings", 32768)),
        "supportsPackedMask": supports_packed,
        "image": {"size": [size, size], "mean": mean, "std": std, "resize": "bicubic",
                  "tiling": {"grid": [rows, cols], "thumbnail": bool(args.thumbnail)}},
        "imagePlaceholder": placeholder,
        "tokensPerImage": tokens,
        "prompt": {"template": preset["template"], "image": preset["image"], "answer": preset["answer"]},
        "exportedFrom": args.checkpoint,
    }
    with open(os.path.join(args.out, "radar-model.json"), "w") as f:
        json.dump(config, f, indent=2)
    shutil.copy(os.path.abspath(__file__), os.path.join(args.out, "export_hf.py.txt"))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
