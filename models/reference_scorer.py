#!/usr/bin/env python3
"""Reference SDS scorer: follows the official RADAR evaluation scripts step by step (own transcription of
Qwen2VL/qwen2vl_pretrained_mllm_eval.py, InternVL/intern3_5vl_pretrained_mllm_eval.py and
LLaVA-NeXT/llava-ov_pretrained_mllm_eval.py), on the eager Hugging Face model in float32.

    python models/reference_scorer.py --family qwen2-vl --model DIR --bench BENCH_DIR --out reference.jsonl
    python models/reference_scorer.py --family llava-onevision --model PROJ_DIR --model-base QWEN2_DIR \
        --vision-tower SIGLIP_DIR --bench BENCH_DIR --out reference.jsonl

Per sample, as the scripts do: build the prompt for the family and source, load the images with the family's
loader and processor, run ONE FORWARD PER CANDIDATE (Qwen2-VL and InternVL: one left-padded batch of all
candidates, as the scripts batch them; LLaVA: one unbatched forward per candidate), take the raw logit of each
candidate token past the prompt's own token count, average per candidate, softmax: SDS = p[0], correct =
argmax == 0 (first maximum). Samples with more than 12 images are skipped, as the scripts do.

Output JSONL, one line per scored sample: task (the json file's stem), source, q_id, key (as in
models/golden/prompts: "MMBench_image_style/101"), sds, correct, candidates, candidateTokenCounts, meanLogits,
probs, images (relative to the benchmark folder, pixel order).

Where the scripts draw random numbers (MMMU-Pro image-option order; LLaVA's one sampled text distractor), one
random.Random(0) per source folder is consumed in sorted file order, then q_id order (the scripts seed once per
process and run one source per process; their file order is glob order).
"""
import argparse
import glob
import json
import os
import random
import re
import sys

import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SOURCES = ["general_visual_question_answering", "multiple_discipline_reasoning", "mathematical_reasoning",
           "physical_reasoning", "spatial_reasoning", "Wiki_animal_identification", "Wiki_plant_identification",
           "Wiki_celebrity_identification", "Wiki_attraction_identification"]
QWEN_IMAGE = "<|vision_start|><|image_pad|><|vision_end|>"
QWEN_PAD_TOKEN = "<|endoftext|>"   # the scripts count id 151643 (this token in the real vocabulary) as left padding
MIN_PIXELS, MAX_PIXELS = 256 * 28 * 28, 768 * 28 * 28
INTERNVL_MEAN, INTERNVL_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
INTERNVL_SYSTEM = "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。"


# ----------------------------------------------------------------------------------------------------------
# Benchmark records -> (question, candidates, image files), per the scripts
# ----------------------------------------------------------------------------------------------------------

def image_tags(text):
    return re.findall(r"<image \d+>", text)


def tag_files(img_dir, tags, q_id):
    return [f"{img_dir}/{q_id}_{t.strip('<').strip('>').replace(' ', '_')}.png" for t in tags]


def replace_tags(text, tags, token):
    for t in tags:
        text = text.replace(t, token)
    return text


def sample_inputs(family, source_dir, json_file, q_id, item, rng, image_token):
    """(question text with the family's image token inline or not, candidates, image files) as the script of
    `family` builds them; image_token: what <image k> tags become (Qwen2-VL's span, '<image>' otherwise)."""
    name = os.path.basename(json_file).split(".json")[0]
    img_root = os.path.join(source_dir, "images")
    files = []
    mmmu = "MMMU_Pro" in json_file
    if mmmu:
        tags = image_tags(item["question"])
        cate_dir = img_root + "/" + "_".join(name.split("_")[2:-4])
        files = tag_files(cate_dir, tags, q_id)
    elif "MMBench" in json_file:
        files = [f"{img_root}/{'_'.join(name.split('_')[1:-4])}/{q_id}.jpg"]
    elif "SeePhys" in json_file:
        files = [os.path.join(img_root, f"{q_id.split('--')[0]}_{i}.png") for i in range(item["img_num"])]
    else:
        files = [f"{img_root}/{q_id.split('--')[0]}.jpg"]

    if mmmu:
        question = replace_tags(item["question"], tags, image_token)
        if image_tags(item["ori_options"]):
            if rng.random() > 0.5:
                options, letters = [item["answer"]] + item["distraction"], ["A", "B"]
            else:
                options, letters = item["distraction"] + [item["answer"]], ["B", "A"]
            for opt in options:
                files.extend(tag_files(cate_dir, image_tags(opt), q_id))
            listed = [f"{chr(ord('A') + i)}. {replace_tags(opt, image_tags(opt), image_token)}"
                      for i, opt in enumerate(options)]
            question = question + " " + " ".join(listed) + " Please select the correct option: "
            return question, letters, files, True
        distraction = item["distraction"]
        if family == "llava-onevision" and len(distraction) > 1:
            distraction = rng.sample(distraction, 1)
        return question, [item["answer"]] + distraction, files, True
    return item["question"], [item["answer"]] + item["distraction"], files, False


# ----------------------------------------------------------------------------------------------------------
# Families
# ----------------------------------------------------------------------------------------------------------

def mean_logits_from_batch(logits, input_ids, starts):
    """The scripts' loop: for row i, positions starts[i]-1 .. T-2 predict ids starts[i] .. T-1."""
    means, counts = [], []
    T = input_ids.shape[1]
    for i, s in enumerate(starts):
        vals = [logits[i, idx, input_ids[i, idx + 1]].item() for idx in range(s - 1, T - 1)]
        means.append(sum(vals) / len(vals))
        counts.append(len(vals))
    return means, counts


class Qwen2VlReference:
    family = "qwen2-vl"
    image_token = QWEN_IMAGE

    def __init__(self, model_dir):
        from transformers import AutoProcessor, Qwen2VLForConditionalGeneration
        self.model = Qwen2VLForConditionalGeneration.from_pretrained(
            model_dir, dtype=torch.float32, attn_implementation="eager").eval()
        # Exactly the script's AutoProcessor.from_pretrained(model_path, min_pixels, max_pixels). With torchvision
        # installed (qwen_vl_utils needs it) transformers 4.57 (also the reference's vendored 4.57.0.dev0) forces
        # the FAST image processor for Qwen2-VL even when the checkpoint saved the slow one: its resize is torch's
        # antialiased uint8 bicubic, not PIL's, and differs by up to 2 levels, so which one runs matters.
        self.processor = AutoProcessor.from_pretrained(model_dir, min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS)
        assert type(self.processor.image_processor).__name__ == "Qwen2VLImageProcessorFast", \
            type(self.processor.image_processor).__name__

    def score(self, question, candidates, files, mmmu):
        from qwen_vl_utils import process_vision_info
        # Base chat template: one vision span per image, then the question (no roles); MMMU-Pro: the question.
        text = question if mmmu else QWEN_IMAGE * len(files) + question
        # qwen_vl_utils' fetch_image (to_rgb, first smart_resize), then the processor's own resize.
        images, _ = process_vision_info([{"role": "user", "content": [{"type": "image", "image": f} for f in files]}])
        proc = self.processor
        proc.tokenizer.padding_side = "right"
        alone = proc(text=[text], images=images, padding=True, return_tensors="pt")
        prompt_len = alone["input_ids"].shape[1]
        proc.tokenizer.padding_side = "left"
        batch = proc(text=[text + " " + a for a in candidates], images=images * len(candidates), padding=True,
                     return_tensors="pt")
        pad_id = proc.tokenizer.convert_tokens_to_ids(QWEN_PAD_TOKEN)
        pads = (batch["input_ids"] == pad_id).sum(dim=1).tolist()
        starts = [prompt_len + p for p in pads]
        keep = batch["input_ids"].shape[1] - min(starts) + 1
        with torch.inference_mode():
            out = self.model(**batch, logits_to_keep=keep, return_dict=True)
        return self._means(out.logits, batch["input_ids"], starts, keep)

    def package_inputs(self, question, candidates, files, mmmu, source_file=""):
        """The same sample as contract-2 inputs: prompt ids (image tokens expanded), candidate ids, per-image
        (pixel_values, patch_pos) and grids, from the same processor outputs."""
        from qwen_vl_utils import process_vision_info
        from export_hf import qwen2vl_patch_pos
        text = question if mmmu else QWEN_IMAGE * len(files) + question
        images, _ = process_vision_info([{"role": "user", "content": [{"type": "image", "image": f} for f in files]}])
        proc = self.processor
        alone = proc(text=[text], images=images, return_tensors="pt")
        prompt = alone["input_ids"][0].tolist()
        cands = [proc(text=[text + " " + a], images=images, return_tensors="pt")["input_ids"][0].tolist()[len(prompt):]
                 for a in candidates]
        grids = [tuple(int(v) for v in g) for g in alone["image_grid_thw"]]
        vis, start = [], 0
        for t, h, w in grids:
            n = t * h * w
            vis.append((alone["pixel_values"][start:start + n], qwen2vl_patch_pos(h, w)))
            start += n
        return prompt, cands, vis, grids

    @staticmethod
    def _means(logits, input_ids, starts, keep):
        """logits may hold only the last positions (logits_to_keep; Qwen2-VL ignores it): index from the end."""
        T = input_ids.shape[1]
        keep = logits.shape[1]
        means, counts = [], []
        for i, s in enumerate(starts):
            vals = [logits[i, idx - (T - keep), input_ids[i, idx + 1]].item() for idx in range(s - 1, T - 1)]
            means.append(sum(vals) / len(vals))
            counts.append(len(vals))
        return means, counts


def internvl_tiles(path, size=448, max_num=3):
    """The script's load_image: RGB, closest-aspect-ratio tiling (1..max_num tiles) + thumbnail when tiled,
    each tile bicubic-resized to size and normalised with ImageNet statistics."""
    import torchvision.transforms as T
    from torchvision.transforms.functional import InterpolationMode
    image = Image.open(path).convert("RGB")
    w, h = image.size
    aspect = w / h
    ratios = sorted({(i, j) for n in range(1, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                     if 1 <= i * j <= max_num}, key=lambda r: r[0] * r[1])
    best, best_diff = (1, 1), float("inf")
    for r in ratios:
        diff = abs(aspect - r[0] / r[1])
        if diff < best_diff:
            best, best_diff = r, diff
        elif diff == best_diff and w * h > 0.5 * size * size * r[0] * r[1]:
            best = r
    tw, th = size * best[0], size * best[1]
    resized = image.resize((tw, th))                   # PIL default filter, as the script's resize
    cols = tw // size
    tiles = [resized.crop(((k % cols) * size, (k // cols) * size, (k % cols + 1) * size, (k // cols + 1) * size))
             for k in range(best[0] * best[1])]
    if len(tiles) != 1:
        tiles.append(image.resize((size, size)))
    tf = T.Compose([T.Resize((size, size), interpolation=InterpolationMode.BICUBIC), T.ToTensor(),
                    T.Normalize(mean=INTERNVL_MEAN, std=INTERNVL_STD)])
    return torch.stack([tf(t) for t in tiles])


class InternVlReference:
    family = "internvl3.5"
    image_token = "<image>"

    def __init__(self, model_dir):
        from transformers import AutoTokenizer, InternVLForConditionalGeneration
        self.model = InternVLForConditionalGeneration.from_pretrained(
            model_dir, dtype=torch.float32, attn_implementation="eager").eval()
        self.tok = AutoTokenizer.from_pretrained(model_dir)
        self.system = getattr(self.model.config, "system_message", None) or INTERNVL_SYSTEM
        self.tokens_per_tile = self.model.config.image_seq_length

    def query(self, question, files, source_file):
        pixel_list = [internvl_tiles(f) for f in files]
        sep = "\n" if any(s in source_file for s in ("MMBench", "MMMU_Pro", "MathVista")) else " "
        for tiles in pixel_list:
            if "<image>" not in question:
                question = f"<image>{sep}" + question       # prepended per image: text order is reversed
            question = question.replace(
                "<image>", "<img>" + "<IMG_CONTEXT>" * (self.tokens_per_tile * tiles.shape[0]) + "</img>", 1)
        # internvl2_5 conversation (MPT style): system, user turn, open assistant turn.
        query = (f"<|im_start|>system\n{self.system}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n"
                 f"<|im_start|>assistant\n")
        return query, pixel_list

    def package_inputs(self, question, candidates, files, mmmu, source_file=""):
        query, pixel_list = self.query(question, files, source_file)
        prompt = self.tok(query)["input_ids"]
        cands = [self.tok(query + str(a))["input_ids"][len(prompt):] for a in candidates]
        return prompt, cands, [torch.cat(pixel_list, dim=0)], []

    def score(self, question, candidates, files, mmmu, source_file=""):
        query, pixel_list = self.query(question, files, source_file)
        prompt_len = len(self.tok(query)["input_ids"])
        self.tok.padding_side = "left"
        enc = self.tok([query + str(a) for a in candidates], return_tensors="pt", padding=True)
        pads = (enc["input_ids"] == self.tok.convert_tokens_to_ids(QWEN_PAD_TOKEN)).sum(dim=1).tolist()
        starts = [prompt_len + p for p in pads]
        pixels = torch.cat(pixel_list * len(candidates), dim=0)
        keep = enc["input_ids"].shape[1] - min(starts) + 1
        with torch.inference_mode():
            out = self.model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], pixel_values=pixels,
                             logits_to_keep=keep, return_dict=True)
        return Qwen2VlReference._means(out.logits, enc["input_ids"], starts, keep)


class LlavaReference:
    """LLaVA-OneVision as the LLaVA-NeXT script runs it: plain template, square SigLIP 384 images, 729 features per
    image spliced where <image> was (IMAGE_TOKEN_INDEX), one unbatched forward per candidate."""
    family = "llava-onevision"
    image_token = "<image>"

    def __init__(self, model_dir, model_base=None, vision_tower=None):
        import transformers as tf
        if os.path.exists(os.path.join(model_dir, "mm_projector.bin")):
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from export_hf import load_projector_layout
            loaded = load_projector_layout(model_dir, model_base, vision_tower, torch.float32)
            lm, projector = loaded.lm, loaded.projector
            tower = tf.SiglipVisionModel.from_pretrained(vision_tower or loaded.tower.name_or_path,
                                                         dtype=torch.float32, attn_implementation="eager").eval()
            del tower.vision_model.encoder.layers[-1:]     # siglip_encoder.py: last layer removed, head unused
            self.layer, self.drop_first, self.raw_encoder = -1, False, True
            self.embed, self.decoder, self.head = lm.model.embed_tokens, lm.model, lm.lm_head
            self.tok = tf.AutoTokenizer.from_pretrained(model_base)
            proc_dir = vision_tower
        else:
            hf = tf.LlavaOnevisionForConditionalGeneration.from_pretrained(
                model_dir, dtype=torch.float32, attn_implementation="eager").eval()
            tower, projector = hf.model.vision_tower, hf.model.multi_modal_projector
            self.layer = hf.config.vision_feature_layer
            self.drop_first = hf.config.vision_feature_select_strategy == "default"
            self.raw_encoder = False
            self.embed, self.decoder, self.head = hf.model.get_input_embeddings(), hf.model.language_model, hf.lm_head
            self.tok = tf.AutoTokenizer.from_pretrained(model_dir)
            proc_dir = model_dir
        self.tower, self.projector = tower, projector
        self.processor = tf.SiglipImageProcessor.from_pretrained(proc_dir)

    def tokenize_with_images(self, prompt):
        """tokenizer_image_token: chunks between '<image>' tokenized separately, None where an image goes; when the
        tokenizer starts chunks with BOS, one BOS is kept at the front and stripped from every chunk."""
        chunks = [self.tok(c)["input_ids"] for c in prompt.split("<image>")]
        bos = self.tok.bos_token_id
        offset = 1 if chunks and chunks[0] and bos is not None and chunks[0][0] == bos else 0
        ids = [bos] if offset else []
        for k, chunk in enumerate(chunks):
            if k:
                ids.append(None)
            ids.extend(chunk[offset:])
        return ids

    def prompt(self, question, files, mmmu, source_file):
        if not mmmu:
            if "MMBench" in source_file or "MathVista" in source_file:
                question = f"<image>\n{question}"
            elif "SeePhys" in source_file:
                question = "<image>" * len(files) + " " + question
            else:
                question = "<image> " + question
        prompt = question + "\n"                          # plain template: message + sep, empty assistant turn
        images = [Image.open(f).convert("RGB") for f in files]
        pixels = self.processor.preprocess(images, return_tensors="pt")["pixel_values"]
        return prompt, pixels

    def package_inputs(self, question, candidates, files, mmmu, source_file="", image_token_id=0, per_image=729):
        prompt, pixels = self.prompt(question, files, mmmu, source_file)
        expand = lambda ids: [x for t in ids for x in ([image_token_id] * per_image if t is None else [t])]  # noqa
        base = self.tokenize_with_images(prompt)
        cands = []
        for a in candidates:
            ids = self.tokenize_with_images(prompt + a)
            cands.append(ids[len(base):])
        return expand(base), cands, [pixels], []

    def score(self, question, candidates, files, mmmu, source_file=""):
        prompt, pixels = self.prompt(question, files, mmmu, source_file)
        with torch.inference_mode():
            if self.raw_encoder:
                # LLaVA-NeXT's SigLIP: hidden_states[-1] of the truncated tower is the raw output of its last
                # layer (its own encoder collects states before post_layernorm; HF 4.57's would be normed).
                hs = self.tower.vision_model.embeddings(pixels)
                for layer in self.tower.vision_model.encoder.layers:
                    hs = layer(hs, None)
                    hs = hs[0] if isinstance(hs, tuple) else hs
            else:
                hs = self.tower(pixels, output_hidden_states=True).hidden_states[self.layer]
            if self.drop_first:
                hs = hs[:, 1:]
            feats = self.projector(hs)                    # [n, 729, D]
        base = self.tokenize_with_images(prompt)
        means, counts = [], []
        for cand in candidates:
            ids = self.tokenize_with_images(prompt + cand)
            n_new = len(ids) - len(base)
            embeds, k = [], 0
            for t in ids:
                if t is None:
                    embeds.append(feats[k])
                    k += 1
                else:
                    embeds.append(self.embed(torch.tensor([t])))
            x = torch.cat(embeds, dim=0).unsqueeze(0)
            with torch.inference_mode():
                h = self.decoder(inputs_embeds=x, return_dict=True).last_hidden_state
                logits = self.head(h[:, -(n_new + 1):-1])
            tail = ids[len(ids) - n_new:]
            vals = [logits[0, j, tail[j]].item() for j in range(n_new)]
            means.append(sum(vals) / len(vals))
            counts.append(n_new)
        return means, counts


def make_reference(family, model_dir, model_base=None, vision_tower=None):
    if family == "qwen2-vl":
        return Qwen2VlReference(model_dir)
    if family == "internvl3.5":
        return InternVlReference(model_dir)
    return LlavaReference(model_dir, model_base, vision_tower)


# ----------------------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------------------

def reference_order(ref, bench_dir):
    """The samples in the order the reference scripts process them, with their inputs: per source folder a fresh
    random.Random(0) (one run of a script per source), task files sorted by name (the scripts' glob order is the
    OS's), q_ids in file order. Every record draws, also those later skipped for more than 12 images.
    Yields (source, json_file, q_id, key, question, candidates, image files, is_mmmu)."""
    for source in SOURCES:
        source_dir = os.path.join(bench_dir, source)
        if not os.path.isdir(source_dir):
            continue
        rng = random.Random(0)
        for json_file in sorted(glob.glob(os.path.join(source_dir, "*.json"))):
            with open(json_file) as f:
                data = json.load(f)
            for q_id, item in data.items():
                question, cands, files, mmmu = sample_inputs(ref.family, source_dir, json_file, q_id, item, rng,
                                                             ref.image_token)
                stem = os.path.basename(json_file).split(".json")[0]
                key = stem.split("_pretrained_mllm_eval")[0].rsplit("_", 1)[0] + "/" + q_id
                yield source, json_file, q_id, key, question, cands, files, mmmu


def score_benchmark(ref, bench_dir, out_path, limit=None):
    rows = []
    for source, json_file, q_id, key, question, cands, files, mmmu in reference_order(ref, bench_dir):
        if len(files) > 12:
            continue
        if ref.family == "qwen2-vl":
            means, counts = ref.score(question, cands, files, mmmu)
        else:
            means, counts = ref.score(question, cands, files, mmmu, json_file)
        probs_t = torch.softmax(torch.tensor(means), dim=0)      # float32, as the scripts
        probs = probs_t.tolist()
        best = int(probs_t.argmax())
        rows.append({"task": os.path.basename(json_file).split(".json")[0], "source": source, "q_id": q_id,
                     "key": key, "sds": probs[0], "correct": best == 0, "candidates": cands,
                     "candidateTokenCounts": counts, "meanLogits": means, "probs": probs,
                     "images": [os.path.relpath(f, bench_dir) for f in files]})
        if limit and len(rows) >= limit:
            break
    with open(out_path, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return rows


def package_parity(ref, pkg_dir, bench_dir, ref_rows):
    """Scores the same samples with a contract-2 package driven as the Java runtime drives it (vision once per
    image / tile batch, image_index, M-RoPE positions, per-candidate and packed rows) and returns
    per-sample differences against the reference rows."""
    from export_hf import score_sample
    with open(os.path.join(pkg_dir, "radar-model.json")) as f:
        cfg = json.load(f)
    vision = torch.jit.load(os.path.join(pkg_dir, "vision.pt"))
    language = torch.jit.load(os.path.join(pkg_dir, "language.pt"))
    fam, img_id, pad = cfg["family"], cfg["imageTokenId"], cfg["padTokenId"]
    out = []
    for row in ref_rows:
        source_dir = os.path.join(bench_dir, row["source"])
        json_file = os.path.join(source_dir, row["task"] + ".json")
        files = [os.path.join(bench_dir, p) for p in row["images"]]
        with open(json_file) as f:
            item = json.load(f)[row["q_id"]]
        # Candidates and question as the reference built them (MMMU-Pro order is in the row).
        question, _, _, mmmu = sample_inputs(ref.family, source_dir, json_file, row["q_id"], item,
                                             _FixedRng(row), ref.image_token)
        kw = {"image_token_id": img_id} if fam == "llava-onevision" else {}
        prompt, cands, vis, grids = ref.package_inputs(question, row["candidates"], files, mmmu, json_file, **kw)
        if fam == "llava-onevision" or fam == "internvl3.5":
            vis = list(vis)
        res = {"q_id": row["q_id"]}
        for packed in (False, True):
            raw = score_sample(fam, vision, language, vis, grids, prompt, cands, img_id, packed, pad, torch.float32)
            means = [sum(r) / len(r) for r in raw]
            p = torch.softmax(torch.tensor(means), dim=0)
            key = "packed" if packed else "perCandidate"
            res[key] = {"sds": p[0].item(), "correct": int(p.argmax()) == 0, "counts": [len(r) for r in raw]}
            res[key]["dSds"] = abs(p[0].item() - row["sds"])
            res[key]["sameCorrect"] = res[key]["correct"] == row["correct"]
            res[key]["sameCounts"] = res[key]["counts"] == row["candidateTokenCounts"]
        out.append(res)
    return out


class _FixedRng:
    """Replays the reference row's MMMU-Pro draw: the candidates in the row tell which branch was taken."""

    def __init__(self, row):
        self.row = row

    def random(self):
        return 0.9 if self.row["candidates"] == ["A", "B"] else 0.1

    def sample(self, population, k):
        return [c for c in self.row["candidates"][1:]][:k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=("qwen2-vl", "internvl3.5", "llava-onevision"))
    ap.add_argument("--model", required=True)
    ap.add_argument("--model-base")
    ap.add_argument("--vision-tower")
    ap.add_argument("--bench", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--package", help="also score a contract-2 package on the same samples and compare (|dSDS|)")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    torch.manual_seed(0)
    ref = make_reference(args.family, args.model, args.model_base, args.vision_tower)
    rows = score_benchmark(ref, args.bench, args.out)
    print(f"{len(rows)} samples -> {args.out}; mean SDS {sum(r['sds'] for r in rows) / max(1, len(rows)):.4f}")
    if args.package:
        res = package_parity(ref, args.package, args.bench, rows)
        worst = max(max(r["perCandidate"]["dSds"], r["packed"]["dSds"]) for r in res)
        bad = [r for r in res for k in ("perCandidate", "packed")
               if r[k]["dSds"] > args.tolerance or not r[k]["sameCorrect"] or not r[k]["sameCounts"]]
        print(f"package vs reference: max |dSDS| {worst:.3g} over {len(res)} samples (per-candidate and packed)")
        with open(args.out + ".package-parity.json", "w") as f:
            json.dump({"maxAbsDSds": worst, "samples": res}, f, indent=1)
        if bad:
            raise SystemExit(f"package differs from the reference: {json.dumps(bad)[:2000]}")


if __name__ == "__main__":
    main()
