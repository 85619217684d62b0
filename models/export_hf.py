#!/usr/bin/env python3
"""Exports a Hugging Face Qwen2-VL, InternVL3.5 or LLaVA-OneVision checkpoint to a RADAR scoring package
(contract 2, models/README.md): vision.pt + language.pt (TorchScript) + tokenizer + radar-model.json.

    python models/export_hf.py --family qwen2-vl --checkpoint DIR --out PKG [--dtype bfloat16]
    python models/export_hf.py --family internvl3.5 --checkpoint DIR --out PKG           # HF-native class
    python models/export_hf.py --family llava-onevision --checkpoint DIR --out PKG       # HF class
    python models/export_hf.py --family llava-onevision --checkpoint PROJ_DIR --model-base QWEN2_DIR \
        --vision-tower SIGLIP_DIR --out PKG --dtype float16                             # LLaVA-NeXT projector-only
    python models/export_hf.py --architecture --family qwen2-vl --checkpoint DIR --out ARCH_DIR/qwen2vl-2b

--architecture writes an ARCHITECTURE package: the same package plus, in radar-model.json, "architecture" (the
checkpoint's config.json without the keys that do not change the traced code, which RADAR matches raw checkpoints
against) and "weights" (for every parameter of vision.pt / language.pt the safetensors key it is read from). It is
traced once; the scorer then loads any Hugging Face checkpoint folder of that architecture by overwriting the
modules' parameters from the folder's safetensors (models/README.md, "Raw Hugging Face checkpoints").

Why two modules and so many inputs: torch.jit.trace records one run. Everything that depends on the data
(number and size of images, Qwen2-VL's patch positions and M-RoPE positions, sequence boundaries, masks,
which positions are scored) is computed by the caller (the Java runtime) and passed as tensors, so the traced
code holds no loop over images, no .tolist() and no shape of the trace example. The wrappers below reuse the
HF submodules (decoder layers, norms, vision blocks) unchanged and write by hand only the parts HF computes
from Python values: Qwen2-VL's vision rotary (from patch_pos) and per-image attention, the additive 4-D mask,
the rotary tables (from position_ids), feature placement (from image_index) and the scored-positions head.
No tensor in forward is created on a fixed device: the package runs on CPU or any GPU.

Before writing, the script checks (and records the max differences in radar-model.json "export"):
  trace_vision / trace_language  traced == eager wrapper on shapes other than the trace example's
                                 (image sizes, image counts 1/2/5, batch sizes, per-candidate and packed)
  packed_vs_per_candidate        packed rows == one row per candidate (per scored token)
  wrapper_vs_hf                  eager wrapper == the HF model's own forward (qwen2-vl, internvl3.5)
  device_free                    the saved TorchScript code carries no device constant
"""
import argparse
import datetime
import json
import os
import re
import shutil
import sys

import torch
from torch import nn

import radar_contract  # models/ is on sys.path when this runs as a script or from models/tests

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
FAMILIES = ("qwen2-vl", "internvl3.5", "llava-onevision")

VISION_PARAMS = {
    "qwen2-vl": {"patchSize": 14, "temporalPatchSize": 2, "mergeSize": 2, "minPixels": 200704, "maxPixels": 602112,
                 "mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711]},
    "internvl3.5": {"imageSize": 448, "maxTiles": 3, "thumbnail": True, "tokensPerTile": 256,
                    "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
    "llava-onevision": {"imageSize": 384, "tokensPerImage": 729, "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]},
}


# ----------------------------------------------------------------------------------------------------------
# Wrappers
# ----------------------------------------------------------------------------------------------------------

def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Qwen2VlVision(nn.Module):
    """One image: pixel_values [P, C*T*p*p] (the processor's patch order), patch_pos [P,2] (row, col) -> [P/4, D].

    Same arithmetic as Qwen2VisionTransformerPretrainedModel with a single image: the rotary table is
    pos * inv_freq (HF indexes outer(arange, inv_freq) with the same positions), attention is full over the
    image (HF splits by cu_seqlens; one image = one split)."""

    def __init__(self, visual):
        super().__init__()
        self.patch_embed = visual.patch_embed
        self.blocks = visual.blocks
        self.merger = visual.merger
        self.register_buffer("inv_freq", visual.rotary_pos_emb.inv_freq.detach().clone().float(), persistent=True)
        attn = visual.blocks[0].attn
        self.num_heads = attn.num_heads
        self.scaling = attn.scaling

    def attend(self, attn, x, cos, sin):
        qkv = attn.qkv(x).reshape(x.shape[0], 3, self.num_heads, -1).permute(1, 0, 2, 3)
        q, k, v = qkv[0], qkv[1], qkv[2]                                  # [P, H, d]
        dtype = q.dtype
        q = (q.float() * cos + rotate_half(q.float()) * sin).to(dtype)
        k = (k.float() * cos + rotate_half(k.float()) * sin).to(dtype)
        q, k, v = (t.transpose(0, 1).unsqueeze(0) for t in (q, k, v))       # [1, H, P, d]
        w = torch.matmul(q, k.transpose(2, 3)) * self.scaling
        w = torch.softmax(w, dim=-1, dtype=torch.float32).to(dtype)
        out = torch.matmul(w, v).transpose(1, 2).reshape(x.shape[0], -1)
        return attn.proj(out)

    def forward(self, pixel_values, patch_pos):
        x = self.patch_embed(pixel_values)                                  # casts to the weights' dtype
        pos = patch_pos.to(self.inv_freq.dtype)
        rot = torch.cat((pos[:, 0:1] * self.inv_freq.unsqueeze(0), pos[:, 1:2] * self.inv_freq.unsqueeze(0)), dim=-1)
        emb = torch.cat((rot, rot), dim=-1)
        cos, sin = emb.cos().unsqueeze(-2), emb.sin().unsqueeze(-2)         # [P, 1, d] float32
        for blk in self.blocks:
            x = x + self.attend(blk.attn, blk.norm1(x), cos, sin)
            x = x + blk.mlp(blk.norm2(x))
        return self.merger(x)


class InternVlVision(nn.Module):
    """Tiles [N,3,448,448] -> [N*256, D] through the HF model's own get_image_features (fixed tile size, so the
    traced reshapes only depend on N, which stays dynamic)."""

    def __init__(self, hf):
        super().__init__()
        self.hf_model = hf.model
        self.dtype_ref = nn.Parameter(torch.zeros(1, dtype=hf.dtype), requires_grad=False)

    def forward(self, pixel_values):
        feats = self.hf_model.get_image_features(pixel_values=pixel_values.to(self.dtype_ref.dtype),
                                                 vision_feature_layer=-1, vision_feature_select_strategy="default")
        return feats.reshape(-1, feats.shape[-1])


class SiglipProjectorVision(nn.Module):
    """Images [N,3,384,384] -> [N*729, D]: SigLIP hidden state `layer` (hidden_states indexing: 0 = embeddings,
    i = after encoder layer i; pre post-layernorm), optional CLS drop, then the projector. Serves the HF
    LlavaOnevision class and LLaVA-NeXT's projector-only layout (whose tower drops its last layer and takes
    hidden_states[-1], i.e. layer -2 of the full tower)."""

    def __init__(self, vision_model, projector, layer, drop_first, hf_last_is_normed=False):
        super().__init__()
        n = len(vision_model.encoder.layers)
        keep = layer if layer >= 0 else n + 1 + layer
        self.embeddings = vision_model.embeddings
        self.layers = nn.ModuleList(list(vision_model.encoder.layers)[:keep])
        # transformers 4.57's SiglipVisionModel reports its LAST hidden state after post_layernorm (the output
        # recorder swaps in last_hidden_state), so the HF class's vision_feature_layer=-1 means "normed".
        # LLaVA-NeXT's own SigLIP returns the raw encoder output; the projector layout never normalises.
        self.post_norm = vision_model.post_layernorm if (hf_last_is_normed and keep == n) else nn.Identity()
        self.projector = projector
        self.drop_first = drop_first

    def forward(self, pixel_values):
        h = self.embeddings(pixel_values.to(self.embeddings.patch_embedding.weight.dtype))
        for layer in self.layers:
            out = layer(h, None)
            h = out[0] if isinstance(out, tuple) else out
        h = self.post_norm(h)
        if self.drop_first:
            h = h[:, 1:]
        feats = self.projector(h)
        return feats.reshape(-1, feats.shape[-1])


class LanguageModule(nn.Module):
    """Contract-2 language forward for Qwen2 / Qwen3 / Qwen2-VL decoders (see models/README.md)."""

    def __init__(self, embed, layers, norm, lm_head, inv_freq, attention_scaling, mrope):
        super().__init__()
        for layer in layers:
            if getattr(layer, "attention_type", "full_attention") != "full_attention":
                raise SystemExit(f"layer type {layer.attention_type} is not supported (full attention only)")
        self.embed = embed
        self.layers = layers
        self.norm = norm
        self.lm_head = lm_head
        self.register_buffer("inv_freq", inv_freq.detach().clone().float(), persistent=True)
        self.attention_scaling = float(attention_scaling)
        self.mrope = mrope

    def rotary(self, position_ids, dtype):
        # position_ids [R,B,T]; HF's matmul of [.., d/2, 1] @ [.., 1, T] is this elementwise product.
        freqs = position_ids.to(self.inv_freq.dtype).unsqueeze(-1) * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos() * self.attention_scaling, emb.sin() * self.attention_scaling
        if not self.mrope:
            cos, sin = cos[0], sin[0]                                       # [B,T,d]
        return cos.to(dtype), sin.to(dtype)

    def forward(self, input_ids, image_features, image_index, attention_mask, position_ids, target_pos, target_ids):
        h = self.embed(input_ids)
        is_img = (image_index >= 0).unsqueeze(-1)
        feats = image_features.index_select(0, image_index.clamp(min=0).reshape(-1))
        h = torch.where(is_img, feats.reshape(h.shape).to(h.dtype), h)
        mask4d = radar_contract.additive_mask(attention_mask, h.dtype)
        pos_emb = self.rotary(position_ids, h.dtype)
        for layer in self.layers:
            out = layer(h, attention_mask=mask4d, position_embeddings=pos_emb)
            h = out[0] if isinstance(out, tuple) else out
        return radar_contract.score_targets(self.norm(h), self.lm_head, target_pos, target_ids)


def language_from(decoder, lm_head, mrope):
    rot = decoder.rotary_emb
    return LanguageModule(decoder.embed_tokens, decoder.layers, decoder.norm, lm_head, rot.inv_freq,
                          getattr(rot, "attention_scaling", 1.0), mrope)


# ----------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------

class Loaded:
    """The HF model(s), the wrappers and the facts radar-model.json needs."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def load_projector_layout(checkpoint, model_base, vision_tower, dtype):
    """LLaVA-NeXT's projector-only checkpoint merged onto its bases as llava/model/builder.py does for
    llava_qwen + model_base: LM from model_base, SigLIP from vision_tower with its last encoder layer removed
    (siglip_encoder.py: features = hidden_states[-1] of the truncated tower), projector mlp2x_gelu from
    mm_projector.bin (model.mm_projector.{0,2})."""
    import transformers as tf
    with open(os.path.join(checkpoint, "config.json")) as f:
        cfg = json.load(f)
    if cfg.get("mm_projector_type", "linear") != "mlp2x_gelu":
        raise SystemExit(f"{checkpoint}: projector type {cfg.get('mm_projector_type')} not supported (mlp2x_gelu only)")
    if cfg.get("mm_patch_merge_type", "flat") != "flat" or cfg.get("image_aspect_ratio", "square") not in ("square", "pad"):
        raise SystemExit(f"{checkpoint}: only flat merge with square images is exported (the reference's setting)")
    vision_tower = vision_tower or os.path.join(checkpoint, cfg["mm_vision_tower"])
    lm = tf.Qwen2ForCausalLM.from_pretrained(model_base, dtype=dtype, attn_implementation="eager").eval()
    tower = tf.SiglipVisionModel.from_pretrained(vision_tower, dtype=dtype, attn_implementation="eager").eval()
    mm_hidden, hidden = cfg["mm_hidden_size"], lm.config.hidden_size
    projector = nn.Sequential(nn.Linear(mm_hidden, hidden), nn.GELU(), nn.Linear(hidden, hidden))
    state = torch.load(os.path.join(checkpoint, "mm_projector.bin"), map_location="cpu")
    prefix = "model.mm_projector."
    projector.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)})
    projector = projector.to(dtype).eval()
    vision = SiglipProjectorVision(tower.vision_model, projector, -2, False)
    language = language_from(lm.model, lm.lm_head, False)
    tok = tf.AutoTokenizer.from_pretrained(model_base)
    return Loaded(family="llava-onevision", layout="projector", hf=None, lm=lm, tower=tower, projector=projector,
                  vision=vision, language=language, tokenizer=tok, tokenizer_dir=model_base,
                  image_token_id=tok.pad_token_id if tok.pad_token_id is not None else 151643, wrap=(),
                  hidden=hidden, text_config=lm.config)


def load(family, checkpoint, dtype, model_base=None, vision_tower=None):
    import transformers as tf
    if family == "llava-onevision" and os.path.exists(os.path.join(checkpoint, "mm_projector.bin")):
        if not model_base:
            raise SystemExit("a projector-only LLaVA checkpoint needs --model-base (and --vision-tower)")
        return load_projector_layout(checkpoint, model_base, vision_tower, dtype)
    kw = dict(dtype=dtype, attn_implementation="eager")
    wrap = ()
    tok = tf.AutoTokenizer.from_pretrained(checkpoint)
    if family == "qwen2-vl":
        hf = tf.Qwen2VLForConditionalGeneration.from_pretrained(checkpoint, **kw).eval()
        vision = Qwen2VlVision(hf.model.visual)
        language = language_from(hf.model.language_model, hf.lm_head, True)
        image_token_id = hf.config.image_token_id
        wrap = (hf.config.vision_start_token_id, hf.config.vision_end_token_id)
    elif family == "internvl3.5":
        hf = tf.InternVLForConditionalGeneration.from_pretrained(checkpoint, **kw).eval()
        if hf.config.vision_feature_layer != -1:
            raise SystemExit("InternVL: only vision_feature_layer -1 is supported (InternVL3.5's setting)")
        vision = InternVlVision(hf)
        language = language_from(hf.model.language_model, hf.lm_head, False)
        image_token_id = hf.config.image_token_id
    else:
        hf = tf.LlavaOnevisionForConditionalGeneration.from_pretrained(checkpoint, **kw).eval()
        c = hf.config
        vision = SiglipProjectorVision(hf.model.vision_tower.vision_model, hf.model.multi_modal_projector,
                                       c.vision_feature_layer, c.vision_feature_select_strategy == "default",
                                       hf_last_is_normed=True)
        language = language_from(hf.model.language_model, hf.lm_head, False)
        image_token_id = c.image_token_index
    text_cfg = hf.config.get_text_config()
    return Loaded(family=family, layout="hf", hf=hf, vision=vision.eval(), language=language.eval(), tokenizer=tok,
                  tokenizer_dir=checkpoint, image_token_id=image_token_id, wrap=wrap, hidden=text_cfg.hidden_size,
                  text_config=text_cfg)


# ----------------------------------------------------------------------------------------------------------
# Inputs as the Java runtime builds them (also used by the reference-parity tests)
# ----------------------------------------------------------------------------------------------------------

def qwen2vl_patch_pos(h, w, merge=2):
    """(row, col) of each patch in Qwen2VLImageProcessor's order (merge windows row-major), grid h x w patches."""
    rows = torch.arange(h).unsqueeze(1).expand(h, w)
    cols = torch.arange(w).unsqueeze(0).expand(h, w)
    order = lambda g: g.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).reshape(-1)  # noqa: E731
    return torch.stack([order(rows), order(cols)], dim=-1)


def mrope_positions(ids, image_token_id, grids, merge=2):
    """[3, len(ids)] M-RoPE positions by Qwen2VLModel.get_rope_index's rules for one sequence: each maximal run of
    image tokens is the next image (grid t,h,w in patches); text continues from max+1 in all three dims, an
    image of merged grid (t, h/m, w/m) gets (t_i, h_i, w_i) + the position its span starts at."""
    out = torch.zeros(3, len(ids), dtype=torch.long)
    nxt, i, g = 0, 0, 0
    while i < len(ids):
        if ids[i] != image_token_id:
            out[:, i] = nxt
            nxt += 1
            i += 1
            continue
        t, h, w = grids[g]
        g += 1
        hh, ww = h // merge, w // merge
        n = t * hh * ww
        if ids[i:i + n] != [image_token_id] * n:
            raise ValueError(f"image {g - 1}: expected {n} image tokens at {i}")
        ti = torch.arange(t).view(-1, 1).expand(-1, hh * ww).reshape(-1)
        hi = torch.arange(hh).view(1, -1, 1).expand(t, -1, ww).reshape(-1)
        wi = torch.arange(ww).view(1, 1, -1).expand(t, hh, -1).reshape(-1)
        out[:, i:i + n] = torch.stack([ti, hi, wi]) + nxt
        nxt = int(out[:, i:i + n].max()) + 1
        i += n
    if g != len(grids):
        raise ValueError(f"{len(grids)} grids but {g} image spans")
    return out


def build_rows(prompt, cands, image_token_id, packed, pos_dims, grids, pad_id):
    """Contract-2 language inputs for one sample. prompt: ids with image tokens expanded; cands: candidate ids.
    Visual positions take feature rows 0.. in order (each row refers to the same image_features)."""
    if pos_dims == 3:
        ppos = mrope_positions(prompt, image_token_id, grids)
    else:
        ppos = torch.arange(len(prompt)).unsqueeze(0)
    nxt = int(ppos.max()) + 1 if len(prompt) else 0
    n = len(prompt)
    rows = []  # (ids, seg, pos [R,L], tpos, tids)
    if packed:
        ids, seg, pos, tpos, tids = list(prompt), [0] * n, [ppos], [], []
        for k, c in enumerate(cands):
            start = len(ids)
            for t, tok in enumerate(c):
                tpos.append(n - 1 if t == 0 else start + t - 1)
                tids.append(tok)
            ids += c
            seg += [k + 1] * len(c)
            pos.append((torch.arange(len(c)) + nxt).unsqueeze(0).expand(pos_dims, -1))
        rows.append((ids, seg, torch.cat(pos, dim=1), tpos, tids))
    else:
        for c in cands:
            cpos = (torch.arange(len(c)) + nxt).unsqueeze(0).expand(pos_dims, -1)
            rows.append((list(prompt) + list(c), [0] * (n + len(c)), torch.cat([ppos, cpos], dim=1),
                         [n - 1 + t for t in range(len(c))], list(c)))
    b, t_len, m = len(rows), max(len(r[0]) for r in rows), max(len(r[3]) for r in rows)
    ids = torch.full((b, t_len), pad_id, dtype=torch.long)
    img = torch.full((b, t_len), -1, dtype=torch.long)
    pos = torch.zeros((pos_dims, b, t_len), dtype=torch.long)
    allowed = torch.zeros((b, t_len, t_len), dtype=torch.bool)
    tpos = torch.zeros((b, m), dtype=torch.long)
    tids = torch.zeros((b, m), dtype=torch.long)
    for i, (r_ids, r_seg, r_pos, r_tpos, r_tids) in enumerate(rows):
        L = len(r_ids)
        ids[i, :L] = torch.tensor(r_ids)
        is_img = ids[i, :L] == image_token_id
        img[i, :L] = torch.where(is_img, torch.cumsum(is_img.long(), 0) - 1, torch.full_like(ids[i, :L], -1))
        pos[:, i, :L] = r_pos
        allowed[i] = radar_contract.row_allowed(r_seg, t_len)
        tpos[i, :len(r_tpos)] = torch.tensor(r_tpos)
        tids[i, :len(r_tids)] = torch.tensor(r_tids)
    return ids, img, allowed, pos, tpos, tids


def unpack_scores(raw, cands, packed):
    """Per-candidate lists of raw logits from the language output."""
    out, j = [], 0
    for k, c in enumerate(cands):
        if packed:
            out.append(raw[0, j:j + len(c)].tolist())
            j += len(c)
        else:
            out.append(raw[k, :len(c)].tolist())
    return out


def run_vision(family, vision, images):
    """images: per image, qwen2-vl (pixel_values [P,1176], patch_pos [P,2]); others a [n,3,S,S] tensor."""
    if family == "qwen2-vl":
        return torch.cat([vision(px, pp) for px, pp in images], dim=0)
    return vision(torch.cat(list(images), dim=0))


def score_sample(loaded_family, vision, language, images, grids, prompt, cands, image_token_id, packed, pad_id,
                 dtype, device="cpu"):
    """Runs a package (traced or eager) on one sample the way the Java runtime does; returns raw logits per
    candidate token."""
    with torch.no_grad():
        if images:
            feats = run_vision(loaded_family, vision, [tuple(t.to(device) for t in im) if isinstance(im, tuple)
                                                       else im.to(device) for im in images])
        else:
            feats = torch.zeros(1, language.lm_head.weight.shape[1], dtype=dtype, device=device)
        pos_dims = 3 if loaded_family == "qwen2-vl" else 1
        ids, img, allowed, pos, tpos, tids = build_rows(prompt, cands, image_token_id, packed, pos_dims, grids, pad_id)
        raw, _ = language(ids.to(device), feats, img.to(device), allowed.to(device), pos.to(device), tpos.to(device),
                          tids.to(device))
    return unpack_scores(raw.cpu(), cands, packed)


# ----------------------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------------------

DEVICE_PATTERNS = ('torch.device("cpu")', 'torch.device("cuda', 'value="cpu"', 'value="cuda', "device=\"cpu\"",
                   "device=\"cuda")


def device_constants(module):
    """Device constants found in a (saved and reloaded) TorchScript module's code and inlined graph."""
    found = []
    texts = []
    for name, sub in module.named_modules():
        try:
            texts.append((name or "<root>", sub.code))
        except Exception:
            pass
    try:
        texts.append(("<inlined_graph>", str(module.inlined_graph)))
    except Exception:
        pass
    for name, text in texts:
        for pat in DEVICE_PATTERNS:
            if pat in text:
                line = next(ln for ln in text.splitlines() if pat in ln)
                found.append(f"{name}: {line.strip()[:160]}")
    return found


def random_images(family, gen, count, sizes, dtype=torch.float32):
    """Random vision inputs with their grids: qwen2-vl sizes are (h, w) patch grids, InternVL tile counts."""
    images, grids = [], []
    for i in range(count):
        if family == "qwen2-vl":
            h, w = sizes[i % len(sizes)]
            images.append((torch.randn(h * w, 3 * 2 * 14 * 14, generator=gen), qwen2vl_patch_pos(h, w)))
            grids.append((1, h, w))
        elif family == "internvl3.5":
            images.append(torch.randn(sizes[i % len(sizes)], 3, 448, 448, generator=gen))
        else:
            images.append(torch.randn(1, 3, 384, 384, generator=gen))
    return images, grids


def tokens_per_image(family, image, grid):
    if family == "qwen2-vl":
        return grid[1] * grid[2] // 4
    return image.shape[0] * (256 if family == "internvl3.5" else 729)


def random_sample(family, gen, n_images, sizes, image_token_id, vocab=200, wrap=()):
    """A prompt with n_images spans of visual tokens between random text, and 3 candidates of 1..4 tokens.
    wrap: (start id, end id) around each span (Qwen2-VL's get_rope_index finds images by <|vision_start|>)."""
    images, grids = random_images(family, gen, n_images, sizes)
    prompt = [int(x) for x in torch.randint(0, vocab, (3,), generator=gen)]
    for i, im in enumerate(images):
        span = [image_token_id] * tokens_per_image(family, im, grids[i] if grids else None)
        prompt += [wrap[0]] + span + [wrap[1]] if wrap else span
        prompt += [int(x) for x in torch.randint(0, vocab, (2,), generator=gen)]
    cands = [[int(x) for x in torch.randint(0, vocab, (k,), generator=gen)] for k in (1, 3, 4)]
    return images, grids, prompt, cands


def max_diff(a, b):
    return max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def hf_forward_scores(loaded, images, grids, prompt, cands):
    """The HF model's own forward (qwen2-vl, internvl3.5), one unpadded row per candidate, raw logits of the
    candidate tokens: the check that the wrappers compute what the model computes."""
    hf = loaded.hf
    out = []
    with torch.no_grad():
        for c in cands:
            ids = torch.tensor([prompt + c])
            keep = len(c) + 1                        # only the scored positions (Qwen2-VL ignores logits_to_keep)
            if loaded.family == "qwen2-vl":
                px = torch.cat([im[0] for im in images], dim=0)
                logits = hf(input_ids=ids, pixel_values=px, image_grid_thw=torch.tensor(grids),
                            logits_to_keep=keep).logits
            else:
                logits = hf(input_ids=ids, pixel_values=torch.cat(images, dim=0), logits_to_keep=keep).logits
            first = logits.shape[1] - keep           # row of position n - 1 (the last prompt token)
            out.append([logits[0, first + t, tok].float().item() for t, tok in enumerate(c)])
    return out


def run_checks(loaded, traced_vision, traced_language, pad_id, dtype, tol):
    fam = loaded.family
    gen = torch.Generator().manual_seed(7)
    checks = {}
    # Vision at shapes other than the trace example's.
    vision_diff = 0.0
    with torch.no_grad():
        for sizes, count in ((([4, 6],), 1), (([8, 8], [6, 14], [10, 4]), 3)) if fam == "qwen2-vl" else \
                (((1,), 1), ((3,), 1), ((1, 4), 2)) if fam == "internvl3.5" else (((1,), 1), ((1,), 3), ((1,), 5)):
            images, _ = random_images(fam, gen, count, sizes)
            a = run_vision(fam, loaded.vision, images)
            b = run_vision(fam, traced_vision, images)
            if a.shape != b.shape:
                raise SystemExit(f"traced vision returns {tuple(b.shape)}, eager {tuple(a.shape)}")
            vision_diff = max(vision_diff, (a.float() - b.float()).abs().max().item())
    checks["trace_vision"] = {"max_abs_diff": vision_diff}
    # Language + packed, with 1, 2 and 5 images of varied sizes, per-candidate (batch 3) and packed (batch 1).
    lang_diff, packed_diff, hf_diff = 0.0, 0.0, 0.0
    sizes = ([4, 6], [8, 4], [6, 6], [4, 10], [12, 4]) if fam == "qwen2-vl" else (1, 3, 1, 4, 1) if fam == "internvl3.5" else (1,)
    for n_images in (1, 2, 5):
        images, grids, prompt, cands = random_sample(fam, gen, n_images, sizes, loaded.image_token_id,
                                                     wrap=loaded.wrap)
        per = {}
        for packed in (False, True):
            args = (fam, None, None, images, grids, prompt, cands, loaded.image_token_id, packed, pad_id, dtype)
            e = score_sample(fam, loaded.vision, loaded.language, *args[3:])
            t = score_sample(fam, traced_vision, traced_language, *args[3:])
            lang_diff = max(lang_diff, max_diff(e, t))
            per[packed] = t
        packed_diff = max(packed_diff, max_diff(per[False], per[True]))
        if loaded.hf is not None and fam in ("qwen2-vl", "internvl3.5"):
            hf_diff = max(hf_diff, max_diff(hf_forward_scores(loaded, images, grids, prompt, cands), per[False]))
    checks["trace_language"] = {"max_abs_diff": lang_diff, "image_counts": [1, 2, 5], "batch_sizes": [3, 1]}
    checks["packed_vs_per_candidate"] = {"max_abs_diff": packed_diff}
    if loaded.hf is not None and fam in ("qwen2-vl", "internvl3.5"):
        checks["wrapper_vs_hf"] = {"max_abs_diff": hf_diff}
    for name, c in checks.items():
        c["tolerance"] = tol
        c["passed"] = c["max_abs_diff"] <= tol
    return checks


# ----------------------------------------------------------------------------------------------------------
# Architecture packages: where each traced parameter comes from in a checkpoint's safetensors
# ----------------------------------------------------------------------------------------------------------

# config.json keys that do not change the traced code or the weights' layout (they may differ between checkpoints
# of one architecture: the saving library's version, the dtype the trainer saved in, runtime switches). Written
# into the package (architecture.ignoredKeys) so the Java side applies exactly this rule, at any nesting level.
IGNORED_CONFIG_KEYS = sorted({"_name_or_path", "transformers_version", "torch_dtype", "dtype", "use_cache",
                              "_attn_implementation", "_attn_implementation_autoset", "attn_implementation",
                              "output_attentions", "output_hidden_states", "return_dict", "_commit_hash"})

# Wrapper-owned parameters that no checkpoint holds (a dtype marker); they keep the traced values.
WRAPPER_PARAMETERS = {"dtype_ref"}


def architecture_fields(config, ignored=IGNORED_CONFIG_KEYS):
    """config.json without the ignored keys, recursively (nested text_config / vision_config)."""
    if isinstance(config, dict):
        return {k: architecture_fields(v, ignored) for k, v in sorted(config.items()) if k not in ignored}
    if isinstance(config, list):
        return [architecture_fields(v, ignored) for v in config]
    return config


def safetensors_keys(checkpoint):
    """Every tensor key of the checkpoint's safetensors (single file or sharded with its index)."""
    from safetensors import safe_open
    index = os.path.join(checkpoint, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            return dict(json.load(f)["weight_map"])
    single = os.path.join(checkpoint, "model.safetensors")
    if not os.path.exists(single):
        raise SystemExit(f"{checkpoint}: no model.safetensors or model.safetensors.index.json "
                         "(an architecture package is traced from a safetensors checkpoint)")
    with safe_open(single, "pt") as f:
        return {k: "model.safetensors" for k in f.keys()}


def weight_sources(loaded, checkpoint, modules):
    """For each module name and each of its parameters (TorchScript keeps the eager wrapper's names), the
    safetensors key it is loaded from. The key names are resolved the way from_pretrained resolves them: the
    file's key is renamed by the class's _checkpoint_conversion_mapping (first matching pattern), and a tied
    parameter (lm_head -> embed_tokens) is found under any of its aliases."""
    keys = safetensors_keys(checkpoint)
    conversion = getattr(loaded.hf, "_checkpoint_conversion_mapping", None) or {}
    loaded_name_to_key = {}
    for key in keys:
        name = key
        for pattern, replacement in conversion.items():
            name, n = re.subn(pattern, replacement, name)
            if n:
                break
        loaded_name_to_key[name] = key
    aliases = {}
    for name, t in list(loaded.hf.named_parameters(remove_duplicate=False)) + \
            list(loaded.hf.named_buffers(remove_duplicate=False)):
        aliases.setdefault(id(t), []).append(name)
    out = {}
    for module_name, module in modules.items():
        entries, kept = {}, []
        # Every name a parameter has (a tied lm_head and embed_tokens are one tensor under two names): libtorch
        # lists each of them, the Java side fills each.
        for pname, p in module.named_parameters(remove_duplicate=False):
            src = next((loaded_name_to_key[n] for n in aliases.get(id(p), []) if n in loaded_name_to_key), None)
            if src is None:
                if pname.split(".")[-1] in WRAPPER_PARAMETERS:
                    kept.append(pname)
                    continue
                raise SystemExit(f"{module_name}.pt parameter {pname} has no tensor in {checkpoint}'s safetensors "
                                 f"(aliases {aliases.get(id(p))})")
            entries[pname] = {"key": src, "shape": list(p.shape)}
        for bname, b in module.named_buffers():
            if any(n in loaded_name_to_key for n in aliases.get(id(b), [])):
                raise SystemExit(f"{module_name}.pt buffer {bname} is stored in the checkpoint; only parameters "
                                 "are replaced at load time")
            kept.append(bname)
        out[module_name] = {"parameters": entries, "kept": sorted(kept)}
    return out


def check_weight_sources(checkpoint, weights, reloaded, dtype):
    """Every mapped parameter of the saved modules equals its safetensors tensor cast to the package dtype."""
    from safetensors import safe_open
    keys = safetensors_keys(checkpoint)
    worst, n = 0.0, 0
    for module_name, module in reloaded.items():
        params = dict(module.named_parameters())
        for pname, entry in weights[module_name]["parameters"].items():
            if pname not in params:
                continue                                      # an alias of a tied parameter checked under its name
            with safe_open(os.path.join(checkpoint, keys[entry["key"]]), "pt") as f:
                t = f.get_tensor(entry["key"]).to(dtype)
            worst = max(worst, float((t.float() - params[pname].detach().float()).abs().max()))
            n += 1
    return {"max_abs_diff": worst, "parameters": n, "tolerance": 0.0, "passed": worst == 0.0}


# ----------------------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------------------

def trace(loaded, pad_id, dtype):
    fam = loaded.family
    gen = torch.Generator().manual_seed(3)
    # Trace example: 2 images (Qwen2-VL grid 4x8, InternVL 2 tiles), batch 2; the checks use other shapes.
    sizes = ([4, 8],) if fam == "qwen2-vl" else (2,) if fam == "internvl3.5" else (1,)
    images, grids, prompt, cands = random_sample(fam, gen, 2, sizes, loaded.image_token_id)
    with torch.no_grad():
        if fam == "qwen2-vl":
            traced_vision = torch.jit.trace(loaded.vision, images[0], check_trace=False)
        else:
            traced_vision = torch.jit.trace(loaded.vision, (torch.cat(images, 0),), check_trace=False)
        feats = run_vision(fam, loaded.vision, images)
        ids, img, allowed, pos, tpos, tids = build_rows(prompt, cands[:2], loaded.image_token_id, False,
                                                        3 if fam == "qwen2-vl" else 1, grids, pad_id)
        traced_language = torch.jit.trace(loaded.language, (ids, feats, img, allowed, pos, tpos, tids),
                                          check_trace=False)
    return traced_vision, traced_language


def export(family, checkpoint, out, dtype_name, model_base=None, vision_tower=None, architecture=False):
    dtype = DTYPES[dtype_name]
    loaded = load(family, checkpoint, dtype, model_base, vision_tower)
    if architecture and loaded.hf is None:
        raise SystemExit("--architecture needs a Hugging Face class checkpoint (config.json + safetensors); the "
                         "projector-only LLaVA layout is exported per checkpoint")
    weights = weight_sources(loaded, checkpoint, {"vision": loaded.vision, "language": loaded.language}) \
        if architecture else None
    tok = loaded.tokenizer
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.convert_tokens_to_ids("<|endoftext|>")
    traced_vision, traced_language = trace(loaded, pad_id, dtype)
    os.makedirs(out, exist_ok=True)
    vpath, lpath = os.path.join(out, "vision.pt"), os.path.join(out, "language.pt")
    traced_vision.save(vpath)
    traced_language.save(lpath)
    # Checks run on the reloaded files: what Java loads is what is checked.
    rv, rl = torch.jit.load(vpath), torch.jit.load(lpath)
    tol = 1e-4 if dtype == torch.float32 else 5e-2
    checks = run_checks(loaded, rv, rl, pad_id, dtype, tol)
    found = device_constants(rv) + device_constants(rl)
    checks["device_free"] = {"passed": not found, "found": found}
    if weights is not None:
        checks["weight_sources"] = check_weight_sources(checkpoint, weights, {"vision": rv, "language": rl}, dtype)
    failed = [k for k, v in checks.items() if not v["passed"]]
    for k, v in checks.items():
        print(f"  {k}: {json.dumps(v)}")
    if failed:
        for f in (vpath, lpath):
            os.remove(f)
        raise SystemExit(f"export checks failed: {failed}")
    tok.save_pretrained(out)                                  # tokenizer.json + tokenizer_config.json
    import transformers
    vision = dict(VISION_PARAMS[family])
    if family == "llava-onevision":
        vision["layout"] = loaded.layout
    config = {
        "contract": 2,
        "name": os.path.basename(os.path.normpath(checkpoint)),
        "family": family,
        "dtype": dtype_name,
        "maxSequenceLength": int(getattr(loaded.text_config, "max_position_embeddings", 32768)),
        "supportsPackedMask": True,
        "hiddenSize": int(loaded.hidden),
        "positionDims": 3 if family == "qwen2-vl" else 1,
        "imageTokenId": int(loaded.image_token_id),
        "padTokenId": int(pad_id),
        "vision": vision,
        "promptRules": family,
        "export": {"transformers": transformers.__version__, "torch": torch.__version__,
                   "source": os.path.abspath(checkpoint),
                   "modelBase": os.path.abspath(model_base) if model_base else None,
                   "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   "checks": checks},
    }
    if weights is not None:
        with open(os.path.join(checkpoint, "config.json")) as f:
            fields = architecture_fields(json.load(f))
        config["architecture"] = {"modelType": fields.get("model_type"), "ignoredKeys": IGNORED_CONFIG_KEYS,
                                  "config": fields}
        config["weights"] = weights
    with open(os.path.join(out, "radar-model.json"), "w") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    shutil.copy(os.path.abspath(__file__), os.path.join(out, "export_hf.py.txt"))
    return config


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=FAMILIES)
    ap.add_argument("--checkpoint", required=True, help="checkpoint directory (save_pretrained layout)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dtype", default="float32", choices=sorted(DTYPES))
    ap.add_argument("--model-base", help="LLaVA projector-only layout: the Qwen2 LM directory")
    ap.add_argument("--vision-tower", help="LLaVA projector-only layout: the SigLIP directory")
    ap.add_argument("--architecture", action="store_true",
                    help="write an architecture package: weights are read from each scored checkpoint's safetensors")
    args = ap.parse_args()
    torch.manual_seed(0)
    config = export(args.family, args.checkpoint, args.out, args.dtype, args.model_base, args.vision_tower,
                    args.architecture)
    print(f"wrote {args.out} ({config['family']}, {config['dtype']})")


if __name__ == "__main__":
    main()
