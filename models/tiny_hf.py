#!/usr/bin/env python3
"""Tiny, randomly initialised, seeded checkpoints of the REAL Hugging Face classes RADAR exports.

    python models/tiny_hf.py FAMILY OUT_DIR        # FAMILY: one of FAMILIES below

Each folder looks like what a training job saves with save_pretrained: config.json + model.safetensors of the
real class (real vision tower type, few layers, small width) together with a tokenizer of the family's real
format (special tokens at their real ids, so vocabularies and hard-coded ids such as the reference's pad id
151643 line up) and the family's image processor config. No hub access: everything is built from config dicts.

Families:
  qwen2-vl                 Qwen2VLForConditionalGeneration (Qwen2-VL vision tower, M-RoPE text model)
  internvl3.5              InternVLForConditionalGeneration (HF-native; InternViT at 448/14, pixel shuffle 0.5,
                           Qwen3 text model as InternVL3.5 uses)
  llava-onevision          LlavaOnevisionForConditionalGeneration (SigLIP at 384/14, Qwen2 text model)
  llava-onevision-projector LLaVA-NeXT's projector-only layout as the reference evaluates it: OUT/checkpoint
                           (config.json + mm_projector.bin, keys model.mm_projector.{0,2}.*), OUT/model_base
                           (Qwen2ForCausalLM + tokenizer), OUT/vision_tower (SiglipVisionModel + processor)

Tokenizers come from models/tiny_tokenizers.py (real Qwen2 format, 1000 regular ids, then each family's added
tokens in their real order) when it is present; otherwise a byte-level stand-in with the family's special tokens
at their real ids (151643...) is written. The embedding has as many rows as the tokenizer has ids (rounded to 64).
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

FAMILIES = ("qwen2-vl", "internvl3.5", "llava-onevision", "llava-onevision-projector")
SEED = 1234

# Special tokens at the ids of the real tokenizers (Qwen2-VL-2B, InternVL3_5-*, Qwen2-0.5B).
QWEN_SPECIALS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
QWEN2VL_SPECIALS = dict(QWEN_SPECIALS, **{
    "<|object_ref_start|>": 151646, "<|object_ref_end|>": 151647, "<|box_start|>": 151648, "<|box_end|>": 151649,
    "<|quad_start|>": 151650, "<|quad_end|>": 151651, "<|vision_start|>": 151652, "<|vision_end|>": 151653,
    "<|vision_pad|>": 151654, "<|image_pad|>": 151655, "<|video_pad|>": 151656})
INTERNVL_SPECIALS = dict(QWEN2VL_SPECIALS, **{
    "<tool_call>": 151657, "</tool_call>": 151658, "<|fim_prefix|>": 151659, "<|fim_middle|>": 151660,
    "<|fim_suffix|>": 151661, "<|fim_pad|>": 151662, "<|repo_name|>": 151663, "<|file_sep|>": 151664,
    "<tool_response>": 151665, "</tool_response>": 151666, "<think>": 151667, "</think>": 151668,
    "<img>": 151669, "</img>": 151670, "<IMG_CONTEXT>": 151671, "<quad>": 151672, "</quad>": 151673,
    "<ref>": 151674, "</ref>": 151675, "<box>": 151676, "</box>": 151677, "<video>": 151678})


def _standin_tokenizer(specials):
    """Byte-level BPE (no merges: one token per byte) with the family's special tokens at their real ids."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from tokenizers import AddedToken
    from transformers import Qwen2TokenizerFast
    byte_chars = pre_tokenizers.ByteLevel.alphabet()
    vocab = {c: i for i, c in enumerate(sorted(byte_chars))}
    # Unreachable fillers (no merges can build them) so the special ids sit in a hole-free vocabulary.
    for i in range(len(vocab), min(specials.values())):
        vocab[f"<|filler_{i}|>"] = i
    vocab.update(specials)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return Qwen2TokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                                   unk_token=None, clean_up_tokenization_spaces=False)


def _tokenizer(family, out_dir):
    """models/tiny_tokenizers.py's real-format tokenizer when present (saved into out_dir; it also saves
    Qwen2-VL's processor with the base chat template), else the stand-in. Returns (tokenizer, is_standin)."""
    from transformers import AutoTokenizer
    try:
        import tiny_tokenizers  # noqa: F401  (branch `prompts`)
    except ImportError:
        tiny_tokenizers = None
    if tiny_tokenizers is not None:
        tiny_tokenizers.build(family, out_dir)
        return AutoTokenizer.from_pretrained(out_dir), False
    if True:
        specials = {"qwen2-vl": QWEN2VL_SPECIALS, "internvl3.5": INTERNVL_SPECIALS}.get(family, QWEN_SPECIALS)
        tok = _standin_tokenizer(specials)
        tok.save_pretrained(out_dir)
        return tok, True


def _vocab(tok):
    """Embedding rows covering every id of the tokenizer (rounded up to 64, as real checkpoints pad)."""
    return max(64, -(-len(tok) // 64) * 64)


def _qwen2_text(tok, **kw):
    eot = tok.convert_tokens_to_ids("<|endoftext|>")
    cfg = dict(vocab_size=_vocab(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
               num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=32768, rope_theta=1000000.0,
               rms_norm_eps=1e-6, tie_word_embeddings=True, bos_token_id=eot, eos_token_id=eot)
    cfg.update(kw)
    return cfg


def _siglip_vision():
    return dict(model_type="siglip_vision_model", hidden_size=32, intermediate_size=64, num_hidden_layers=3,
                num_attention_heads=2, image_size=384, patch_size=14, vision_use_head=False)


def _finish(model, out_dir):
    model.eval()
    model.save_pretrained(out_dir, safe_serialization=True)


def build_qwen2_vl(out_dir):
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLImageProcessor
    tok, standin = _tokenizer("qwen2-vl", out_dir)
    # head_dim 16 -> mrope_section sums to 8 (the real [16, 24, 24] for head_dim 128, scaled by 1/8).
    text = _qwen2_text(tok, rope_scaling={"type": "mrope", "mrope_section": [2, 3, 3]})
    cfg = Qwen2VLConfig(
        text_config=text, **text,
        vision_config=dict(depth=2, embed_dim=32, hidden_size=64, num_heads=2, mlp_ratio=2, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2, in_channels=3),
        image_token_id=tok.convert_tokens_to_ids("<|image_pad|>"),
        video_token_id=tok.convert_tokens_to_ids("<|video_pad|>"),
        vision_start_token_id=tok.convert_tokens_to_ids("<|vision_start|>"),
        vision_end_token_id=tok.convert_tokens_to_ids("<|vision_end|>"),
        attn_implementation="eager")
    torch.manual_seed(SEED)
    _finish(Qwen2VLForConditionalGeneration(cfg), out_dir)
    if not standin:
        return out_dir                          # tiny_tokenizers saved the processor (with the base chat template)
    # The reference passes min/max pixels to AutoProcessor; the saved processor keeps the checkpoint's defaults.
    from transformers import Qwen2VLProcessor
    from transformers.models.qwen2_vl.video_processing_qwen2_vl import Qwen2VLVideoProcessor
    Qwen2VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=tok,
                     video_processor=Qwen2VLVideoProcessor()).save_pretrained(out_dir)
    return out_dir


def build_internvl(out_dir):
    from transformers import InternVLConfig, InternVLForConditionalGeneration
    tok, _ = _tokenizer("internvl3.5", out_dir)
    text = _qwen2_text(tok, model_type="qwen3", head_dim=16)
    cfg = InternVLConfig(
        vision_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                           image_size=[448, 448], patch_size=[14, 14], norm_type="layer_norm",
                           use_qk_norm=False, layer_scale_init_value=0.1, use_mean_pooling=False),
        text_config=text, image_token_id=tok.convert_tokens_to_ids("<IMG_CONTEXT>"), image_seq_length=256,
        downsample_ratio=0.5, vision_feature_layer=-1, vision_feature_select_strategy="default",
        tie_word_embeddings=True, attn_implementation="eager")
    torch.manual_seed(SEED)
    model = InternVLForConditionalGeneration(cfg)
    # InternVL3.5's conversation template and system message, as the remote-code config carries them.
    model.config.template = "internvl2_5"
    model.config.system_message = "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。"
    _finish(model, out_dir)
    # The HF-native processor (InternVL3_5-*-HF layout): its tokenizer names the image tokens.
    from transformers import AutoTokenizer, GotOcr2ImageProcessor, InternVLProcessor
    from transformers.models.internvl.video_processing_internvl import InternVLVideoProcessor
    names = {"start_image_token": "<img>", "end_image_token": "</img>", "context_image_token": "<IMG_CONTEXT>",
             "video_token": "<video>"}
    if tok.convert_tokens_to_ids("<video>") in (None, tok.unk_token_id):
        names["video_token"] = "<IMG_CONTEXT>"   # the tiny vocabulary has no <video>; videos are never scored
    tok = AutoTokenizer.from_pretrained(out_dir, extra_special_tokens=names)
    InternVLProcessor(image_processor=GotOcr2ImageProcessor(
        size={"height": 448, "width": 448}, crop_to_patches=True, min_patches=1, max_patches=3,
        image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]),
        tokenizer=tok, video_processor=InternVLVideoProcessor(), image_seq_length=256).save_pretrained(out_dir)
    return out_dir


def build_llava_onevision(out_dir):
    from transformers import (LlavaOnevisionConfig, LlavaOnevisionForConditionalGeneration,
                              SiglipImageProcessor)
    tok, _ = _tokenizer("llava-onevision", out_dir)
    # The HF llava-onevision tokenizers carry <image> (151646) and <video> (151647).
    if tok.convert_tokens_to_ids("<image>") in (None, tok.unk_token_id):
        tok.add_special_tokens({"additional_special_tokens": ["<image>", "<video>"]})
        tok.save_pretrained(out_dir)
    cfg = LlavaOnevisionConfig(
        vision_config=_siglip_vision(), text_config=_qwen2_text(tok),
        image_token_index=tok.convert_tokens_to_ids("<image>"), video_token_index=tok.convert_tokens_to_ids("<video>"),
        vision_feature_select_strategy="full", vision_feature_layer=-1, tie_word_embeddings=True,
        attn_implementation="eager")
    torch.manual_seed(SEED)
    _finish(LlavaOnevisionForConditionalGeneration(cfg), out_dir)
    SiglipImageProcessor(size={"height": 384, "width": 384}, image_mean=[0.5] * 3, image_std=[0.5] * 3,
                         resample=3).save_pretrained(out_dir)
    return out_dir


def build_llava_projector(out_dir):
    """LLaVA-NeXT pretrain-stage output: only the projector is saved; the LM and the vision tower are the
    untouched bases (Qwen2-0.5B-Instruct and siglip-so400m-patch14-384 in the reference's run scripts)."""
    from transformers import (Qwen2Config, Qwen2ForCausalLM, SiglipImageProcessor, SiglipVisionConfig,
                              SiglipVisionModel)
    base, tower, ckpt = (os.path.join(out_dir, d) for d in ("model_base", "vision_tower", "checkpoint"))
    for d in (base, tower, ckpt):
        os.makedirs(d, exist_ok=True)
    tok, _ = _tokenizer("llava-onevision-projector", base)
    torch.manual_seed(SEED)
    lm_cfg = Qwen2Config(**_qwen2_text(tok), attn_implementation="eager")
    _finish(Qwen2ForCausalLM(lm_cfg), base)
    vis = _siglip_vision()
    vis.pop("model_type")
    vcfg = SiglipVisionConfig(**vis, attn_implementation="eager")
    _finish(SiglipVisionModel(vcfg), tower)
    SiglipImageProcessor(size={"height": 384, "width": 384}, image_mean=[0.5] * 3, image_std=[0.5] * 3,
                         resample=3).save_pretrained(tower)
    mm_hidden, hidden = vcfg.hidden_size, lm_cfg.hidden_size
    gen = torch.Generator().manual_seed(SEED + 1)
    weights = {"model.mm_projector.0.weight": torch.randn(hidden, mm_hidden, generator=gen) * 0.2,
               "model.mm_projector.0.bias": torch.randn(hidden, generator=gen) * 0.02,
               "model.mm_projector.2.weight": torch.randn(hidden, hidden, generator=gen) * 0.2,
               "model.mm_projector.2.bias": torch.randn(hidden, generator=gen) * 0.02}
    torch.save(weights, os.path.join(ckpt, "mm_projector.bin"))
    config = lm_cfg.to_dict()
    config.update({"architectures": ["LlavaQwenForCausalLM"], "model_type": "llava_qwen",
                   "mm_projector_type": "mlp2x_gelu", "mm_hidden_size": mm_hidden, "mm_vision_select_layer": -2,
                   "mm_vision_select_feature": "patch", "mm_vision_tower": "vision_tower",
                   "mm_patch_merge_type": "flat", "image_aspect_ratio": "square", "mm_use_im_start_end": False,
                   "mm_use_im_patch_token": False, "tune_mm_mlp_adapter": True})
    with open(os.path.join(ckpt, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    return out_dir


def _image(path, w, h, seed, mode="RGB"):
    """A drawn picture (gradient + shapes) so resizes have structure to smooth; deterministic per seed."""
    from PIL import Image, ImageDraw
    g = torch.Generator().manual_seed(seed)
    base = (torch.rand(3, generator=g) * 200).int().tolist()
    img = Image.new("RGB", (w, h), tuple(base))
    d = ImageDraw.Draw(img)
    for k in range(6):
        x0, y0 = int(torch.randint(0, w - 10, (1,), generator=g)), int(torch.randint(0, h - 10, (1,), generator=g))
        col = tuple(torch.randint(0, 256, (3,), generator=g).tolist())
        d.ellipse([x0, y0, x0 + w // 4, y0 + h // 4], fill=col) if k % 2 else d.rectangle(
            [x0, y0, x0 + w // 5, y0 + h // 3], fill=col)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img.convert(mode).save(path)


def build_benchmark(out_dir):
    """A small benchmark in M3-Bench layout with every source layout (MMBench, MMMU-Pro with image options and
    with text options, MathVista, SeePhys with several images, Wiki, spatial) and images of several aspect
    ratios (Qwen2-VL grids differ, InternVL gets 1, 3 and 4 tiles)."""
    def write(source, name, data):
        os.makedirs(os.path.join(out_dir, source), exist_ok=True)
        with open(os.path.join(out_dir, source, name + "_pretrained_mllm_eval.json"), "w") as f:
            json.dump(data, f, indent=1)

    src = "general_visual_question_answering"
    write(src, "MMBench_attribute_recognition_1", {
        "mmb-001": {"question": "What color is the large shape?", "answer": "red", "distraction": ["blue", "green"]},
        "mmb-002": {"question": "How many circles are there?", "answer": "3", "distraction": ["2", "5", "4"]}})
    _image(f"{out_dir}/{src}/images/attribute_recognition/mmb-001.jpg", 320, 240, 1)
    _image(f"{out_dir}/{src}/images/attribute_recognition/mmb-002.jpg", 500, 240, 2)    # 2:1 -> InternVL 3 tiles
    src = "multiple_discipline_reasoning"
    write(src, "MMMU_Pro_Art_Theory_1", {
        "mmmu-7": {"question": "<image 1> Which painting uses the same palette as this one?",
                   "ori_options": "['<image 2>', '<image 3>']", "answer": "<image 2>", "distraction": ["<image 3>"]},
        "mmmu-8": {"question": "Compare <image 1> with <image 2>. Which style is shown?",
                   "ori_options": "['Baroque', 'Cubism', 'Gothic']", "answer": "Baroque",
                   "distraction": ["Cubism", "Gothic"]}})
    for q, k, (w, h) in (("mmmu-7", 1, (300, 300)), ("mmmu-7", 2, (280, 200)), ("mmmu-7", 3, (200, 280)),
                         ("mmmu-8", 1, (360, 240)), ("mmmu-8", 2, (240, 240))):
        _image(f"{out_dir}/{src}/images/Art_Theory/{q}_image_{k}.png", w, h, 10 + k + len(q))
    src = "mathematical_reasoning"
    write(src, "MathVista_geometry_1", {
        "mv-31--a": {"question": "What is the angle at the top vertex in degrees?", "answer": "60",
                     "distraction": ["45", "90"]}})
    _image(f"{out_dir}/{src}/images/mv-31.jpg", 260, 260, 31)
    src = "physical_reasoning"
    write(src, "SeePhys_optics_1", {
        "sp-4--x": {"question": "Where does the ray cross the axis?", "answer": "at the focus",
                    "distraction": ["behind the lens", "nowhere"], "img_num": 2}})
    _image(f"{out_dir}/{src}/images/sp-4_0.png", 200, 600, 40)     # 1:3 -> InternVL 4 tiles (3 + thumbnail)
    _image(f"{out_dir}/{src}/images/sp-4_1.png", 420, 200, 41, mode="RGBA")
    src = "Wiki_animal_identification"
    write(src, "Wiki_animal_mammal_1", {
        "wa-9--q1": {"question": "Which animal is this?", "answer": "a red fox", "distraction": ["a wolf", "a cat"]}})
    _image(f"{out_dir}/{src}/images/wa-9.jpg", 240, 320, 9)
    src = "spatial_reasoning"
    write(src, "Spatial_reasoning_relation_1", {
        "sr-2": {"question": "Is the square left of the circle?", "answer": "yes", "distraction": ["no"]}})
    _image(f"{out_dir}/{src}/images/sr-2.jpg", 300, 220, 22)
    return out_dir


def build(family, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    return {"qwen2-vl": build_qwen2_vl, "internvl3.5": build_internvl, "llava-onevision": build_llava_onevision,
            "llava-onevision-projector": build_llava_projector}[family](out_dir)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in FAMILIES + ("benchmark",):
        raise SystemExit(f"usage: tiny_hf.py {{{'|'.join(FAMILIES)}|benchmark}} OUT_DIR")
    print(build_benchmark(sys.argv[2]) if sys.argv[1] == "benchmark" else build(sys.argv[1], sys.argv[2]))
