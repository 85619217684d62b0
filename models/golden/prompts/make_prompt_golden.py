"""Golden prompts: what each family's reference script (Nieysh/RADAR @1cff150) feeds its model, per source layout.

Builds a small M3-Bench folder (bench/) with one record of every source layout -- MMBench, MMMU-Pro with text options
(one and several distractions), MMMU-Pro with image options (several, so both draw outcomes occur, and one with more
than 12 images that the reference skips after drawing), MathVista, SeePhys with three images, Wiki, spatial -- then
replays each reference script step by step on it (our own transcription of qwen2vl_pretrained_mllm_eval.py,
intern3_5vl_pretrained_mllm_eval.py and llava-ov_pretrained_mllm_eval.py, with Python's own `random` seeded 0 per
run), using the family's tiny tokenizer from models/tiny_tokenizers.py and, for Qwen2-VL, the real
Qwen2VLProcessor, its base chat template and qwen_vl_utils.process_vision_info. It writes, per family,
prompts_<family>.json: for every sample the images in pixel order, their visual-token counts, the candidates, the
prompt text, the prompt's token ids and the ids of prompt+candidate (visual-token positions written as -1), and
the candidate token counts. python_random.json holds CPython random draws for PythonRandomTest.

    /work/main/.venv/bin/python models/golden/prompts/make_prompt_golden.py           # rewrite the fixtures
    /work/main/.venv/bin/python models/golden/prompts/make_prompt_golden.py --check   # exit 1 if they differ

Visual-token counts: Qwen2-VL's come from the processor (image_grid_thw, min/max pixels of the script);
InternVL's are 256 per tile with FIXED tile counts per image (TILES below; tiling itself is tested elsewhere);
LLaVA-OV's are 729 per image, as the script's length arithmetic assumes.
"""
from __future__ import annotations

import argparse
import filecmp
import glob
import json
import os
import random
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import tiny_tokenizers  # noqa: E402  (models/tiny_tokenizers.py)

FAMILIES = {"qwen2-vl": "qwen2-vl", "internvl3.5": "internvl3.5", "llava-onevision": "llava-onevision-projector"}
"""family -> tiny tokenizer it uses (projector-only LLaVA runs on the plain Qwen2 tokenizer)."""

# One folder per dataset run of the reference (dir_name in the scripts).
RUN_FOLDERS = ["general_visual_question_answering", "multiple_discipline_reasoning", "mathematical_reasoning",
               "physical_reasoning", "Wiki_animal_identification", "spatial_reasoning"]

MMMU_ART = {
    "validation_Art_1": {"question": "Which style is shown in <image 1>?", "answer": "Cubism",
                         "distraction": ["Baroque", "Rococo", "Realism"],
                         "ori_options": "['Baroque', 'Cubism', 'Rococo', 'Realism']", "img_num": 1},
    "validation_Art_2": {"question": "Which painting uses <image 1> as a study?", "answer": "<image 2>",
                         "distraction": ["<image 3>"], "ori_options": "['<image 3>', '<image 2>']", "img_num": 3},
    "validation_Art_3": {"question": " ".join(f"<image {k}>" for k in range(1, 12)) + " Which one continues the series?",
                         "answer": "<image 12>", "distraction": ["<image 13>"],
                         "ori_options": "['<image 12>', '<image 13>']", "img_num": 13},
    "validation_Art_4": {"question": "Which diagram shows a cell?", "answer": "<image 2>",
                         "distraction": ["<image 1>"], "ori_options": "['<image 1>', '<image 2>']", "img_num": 2},
}
MMMU_BIOLOGY = {
    "validation_Biology_1": {"question": "Look at <image 1> and <image 2>. Which graph matches them?",
                             "answer": "<image 3>", "distraction": ["<image 4>"],
                             "ori_options": "['<image 3>', '<image 4>']", "img_num": 4},
    "validation_Biology_2": {"question": "<image 1> and again <image 1>: which side is larger?", "answer": "left",
                             "distraction": ["right", "equal"], "ori_options": "['left', 'right', 'equal']",
                             "img_num": 1},
    "validation_Biology_3": {"question": "Which graph shows growth? <image 1>", "answer": "<image 2>",
                             "distraction": ["<image 3>"], "ori_options": "['<image 2>', '<image 3>']", "img_num": 3},
    "validation_Biology_4": {"question": "Pick the mammal.", "answer": "<image 1>", "distraction": ["<image 2>"],
                             "ori_options": "['<image 1>', '<image 2>']", "img_num": 2},
    "validation_Biology_5": {"question": "What is shown in <image 1>?", "answer": "mitosis",
                             "distraction": ["meiosis"], "ori_options": "['mitosis', 'meiosis']", "img_num": 1},
}

# (folder, file, records, {image path relative to folder: (width, height)})
BENCH = [
    ("general_visual_question_answering", "MMBench_image_style_1_pretrained_mllm_eval.json",
     {"101": {"question": "What color is the shape?", "answer": "red", "distraction": ["blue", "green"]}},
     {"images/image_style/101.jpg": (60, 40)}),
    ("multiple_discipline_reasoning", "MMMU_Pro_Art_4_pretrained_mllm_eval.json", MMMU_ART,
     {**{f"images/Art/validation_Art_1_image_{k}.png": (32 + 4 * k, 32) for k in range(1, 2)},
      **{f"images/Art/validation_Art_2_image_{k}.png": (30 + 8 * k, 44) for k in range(1, 4)},
      **{f"images/Art/validation_Art_4_image_{k}.png": (40, 24 + 10 * k) for k in range(1, 3)}}),
    ("multiple_discipline_reasoning", "MMMU_Pro_Biology_5_pretrained_mllm_eval.json", MMMU_BIOLOGY,
     {**{f"images/Biology/validation_Biology_1_image_{k}.png": (28 * k, 56) for k in range(1, 5)},
      "images/Biology/validation_Biology_2_image_1.png": (70, 35),
      **{f"images/Biology/validation_Biology_3_image_{k}.png": (36, 18 * k) for k in range(1, 4)},
      **{f"images/Biology/validation_Biology_4_image_{k}.png": (50, 50) for k in range(1, 3)},
      "images/Biology/validation_Biology_5_image_1.png": (45, 30)}),
    ("mathematical_reasoning", "MathVista_1_pretrained_mllm_eval.json",
     {"12": {"question": "What is the area of the triangle? Round to two decimal places.", "answer": "4.50",
             "distraction": ["5", "6.25"]}},
     {"images/12.jpg": (40, 80)}),
    ("physical_reasoning", "SeePhys_mechanics_1_pretrained_mllm_eval.json",
     {"55--en": {"question": "Find the speed of the particle at t = 2 s.", "answer": "3 m/s",
                 "distraction": ["2 m/s", "4 m/s"], "img_num": 3}},
     {"images/55_0.png": (50, 50), "images/55_1.png": (90, 30), "images/55_2.png": (30, 45)}),
    ("Wiki_animal_identification", "Wiki_animal_1_pretrained_mllm_eval.json",
     {"9--zebra": {"question": "What is the name of this animal?", "answer": "zebra",
                   "distraction": ["horse", "donkey"]}},
     {"images/9.jpg": (64, 48)}),
    ("spatial_reasoning", "Spatial_reasoning_1_pretrained_mllm_eval.json",
     {"s7": {"question": "Is the cup left of the plate?", "answer": "yes", "distraction": ["no"]}},
     {"images/s7.jpg": (48, 48)}),
]

INTERNVL_TILES_CYCLE = [1, 3, 4]
"""InternVL tile count of the i-th image file (sorted by path): fixed, so that several images differ."""
INTERNVL_TOKENS_PER_TILE = 256
LLAVA_TOKENS_PER_IMAGE = 729


def write_bench(root: str) -> None:
    from PIL import Image
    for folder, file, records, images in BENCH:
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        with open(os.path.join(root, folder, file), "w") as f:
            json.dump(records, f, indent=1, ensure_ascii=False)
            f.write("\n")
        for i, (rel, (w, h)) in enumerate(sorted(images.items())):
            p = os.path.join(root, folder, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            img = Image.new("RGB", (w, h), (40 * i % 256, 90, 160))
            img.save(p, quality=90) if p.endswith(".jpg") else img.save(p)


# ---- the reference scripts' shared helpers (transcribed) ----

def extract_images_from_text(text):
    return re.findall(r"<image \d+>", text)


def replace_image_with_image_token(text, images, img_token):
    for image in images:
        text = text.replace(image, f"{img_token}")
    return text


def get_image_files_from_all_images(img_dir, all_images, q_id):
    return [f"{img_dir}/{q_id}_{image.strip('<').strip('>').replace(' ', '_')}.png" for image in all_images]


def image_files_and_question(family, file, data, q_id, img_dir, image_token):
    """The scripts' shared '# image' and '# question'/'# answer' blocks (LLaVA's sample draw included)."""
    item = data[q_id]
    img_files = []
    if "MMMU_Pro" in file:
        all_images = extract_images_from_text(data[q_id]["question"])
        img_cate = "_".join(file.split("/")[-1].split(".")[0].split("_")[2:-4])
        img_files = get_image_files_from_all_images(img_dir + f"/{img_cate}", all_images, q_id)
    elif "MMBench" in file:
        img_cate = "_".join(file.split("/")[-1].split(".")[0].split("_")[1:-4])
        img_files = [f"{img_dir}/{img_cate}/{q_id}.jpg"]
    elif "SeePhys" in file:
        for im_idx in range(item["img_num"]):
            img_files.append(os.path.join(img_dir, f"{q_id.split('--')[0]}_{im_idx}.png"))
    else:
        img_files = [f"{img_dir}/{q_id.split('--')[0]}.jpg"]

    options_letters = None
    if "MMMU_Pro" in file:
        question = replace_image_with_image_token(data[q_id]["question"], all_images, image_token)
        if extract_images_from_text(data[q_id]["ori_options"]):
            distraction = item["distraction"]
            if random.random() > 0.5:
                options = [data[q_id]["answer"]] + distraction
                options_letters = ["A", "B"]
            else:
                options = distraction + [data[q_id]["answer"]]
                options_letters = ["B", "A"]
            for option in options:
                img_files.extend(get_image_files_from_all_images(img_dir + f"/{img_cate}",
                                                                 extract_images_from_text(option), q_id))
            options = [f"{chr(ord('A') + i)}. "
                       f"{replace_image_with_image_token(option, extract_images_from_text(option), image_token)}"
                       for i, option in enumerate(options)]
            question = question + " " + " ".join(options) + " Please select the correct option: "
    elif family == "llava-onevision" and ("MMBench" in file or "MathVista" in file):
        question = f"<image>\n{item['question']}"
    elif family == "llava-onevision" and "SeePhys" in file:
        question = " ".join(["<image>" * item["img_num"]]) + " " + item["question"]
    elif family == "llava-onevision":
        question = "<image>" + " " + item["question"]
    else:
        question = item["question"]

    if "MMMU_Pro" in file:
        if extract_images_from_text(data[q_id]["ori_options"]):
            answers = options_letters
        else:
            distraction = item["distraction"]
            if family == "llava-onevision" and len(distraction) > 1:
                distraction = random.sample(distraction, 1)
            answers = [item["answer"]] + distraction
    else:
        answers = [item["answer"]] + item["distraction"]
    return img_files, question, answers


# ---- per family: what the model receives ----

def qwen2vl_inputs(tok_dir, img_files, question, answers, file):
    from qwen_vl_utils import process_vision_info
    from transformers import AutoProcessor
    processor = qwen2vl_inputs.processor
    if processor is None:
        processor = qwen2vl_inputs.processor = AutoProcessor.from_pretrained(
            tok_dir, min_pixels=256 * 28 * 28, max_pixels=768 * 28 * 28)
    messages = [{"type": "image", "content": [{"type": "image", "image": f}]} for f in img_files]
    messages.append({"type": "text", "text": question, "content": []})
    if "MMMU_Pro" in file:
        text = question
    else:
        text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=False)
    image_inputs, video_inputs = process_vision_info(messages)
    processor.tokenizer.padding_side = "right"
    inputs = processor(text=[text], images=image_inputs, videos=video_inputs, padding=True, return_tensors="pt")
    prompt_ids = inputs["input_ids"][0].tolist()
    texts = [text + " " + a for a in answers]
    image_inputs, video_inputs = process_vision_info([messages for _ in answers])
    processor.tokenizer.padding_side = "left"
    batch = processor(text=texts, images=image_inputs, videos=video_inputs, padding=True, return_tensors="pt")
    pad = processor.tokenizer.convert_tokens_to_ids("<|endoftext|>")  # the script's 151643
    joints = []
    for row in batch["input_ids"].tolist():
        n_pad = sum(1 for t in row if t == pad)
        joints.append(row[n_pad:])
    merge = processor.image_processor.merge_size ** 2
    visual = [] if inputs.get("image_grid_thw") is None else \
        [int(g[0] * g[1] * g[2]) // merge for g in inputs["image_grid_thw"].tolist()]
    image_id = processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    return text, prompt_ids, joints, visual, image_id


def internvl_conversation_prompt(question):
    # get_conv_template('internvl2_5') with the template's own system message, SeparatorStyle.MPT
    system = "你是书生·万象，英文名是InternVL，是由上海人工智能实验室、清华大学及多家合作单位联合开发的多模态大语言模型。"
    sep = "<|im_end|>\n"
    ret = "<|im_start|>system\n" + system + sep
    for role, message in (("<|im_start|>user\n", question), ("<|im_start|>assistant\n", None)):
        ret += role + message + sep if message else role
    return ret


def internvl_inputs(tokenizer, img_files, question, answers, file, tiles_of):
    num_patches_list = [tiles_of[f] for f in img_files]
    sep = "\n" if ("MMBench" in file or "MMMU_Pro" in file or "MathVista" in file) else " "
    for idx, num_patches in enumerate(num_patches_list):
        if "<image>" not in question:
            question = f"<image>{sep}" + question
        image_tokens = "<img>" + "<IMG_CONTEXT>" * INTERNVL_TOKENS_PER_TILE * num_patches + "</img>"
        question = question.replace("<image>", image_tokens, 1)
    query = internvl_conversation_prompt(question)
    prompt_ids = tokenizer(query)["input_ids"]
    tokenizer.padding_side = "left"
    batch = tokenizer([query + str(a) for a in answers], padding=True)
    pad = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    joints = [[t for t in row][sum(1 for t in row if t == pad):] for row in batch["input_ids"]]
    text = re.sub(r"(<IMG_CONTEXT>)+", "<IMG_CONTEXT>", query)
    visual = [INTERNVL_TOKENS_PER_TILE * n for n in num_patches_list]
    return text, prompt_ids, joints, visual, tokenizer.convert_tokens_to_ids("<IMG_CONTEXT>")


IMAGE_TOKEN_INDEX = -200


def tokenizer_image_token(prompt, tokenizer):
    """LLaVA's mm_utils.tokenizer_image_token, transcribed: chunks around <image>, IMAGE_TOKEN_INDEX between."""
    chunks = [tokenizer(chunk).input_ids for chunk in prompt.split("<image>")]
    ids = []
    offset = 0
    if chunks and chunks[0] and chunks[0][0] == tokenizer.bos_token_id:
        offset = 1
        ids.append(chunks[0][0])
    separated = [e for pair in zip(chunks, [[IMAGE_TOKEN_INDEX] * (offset + 1)] * len(chunks)) for e in pair][:-1]
    for x in separated:
        ids.extend(x[offset:])
    return ids


def llava_inputs(tokenizer, img_files, question, answers):
    prompt = question + "\n"  # conv_templates["plain"]: system "", roles ("", ""), sep "\n"
    prompt_ids = tokenizer_image_token(prompt, tokenizer)
    joints = [tokenizer_image_token(prompt + a, tokenizer) for a in answers]
    visual = [LLAVA_TOKENS_PER_IMAGE] * len(img_files)
    return prompt, prompt_ids, joints, visual, IMAGE_TOKEN_INDEX


def expand(ids, image_id, run_lengths):
    """Visual positions as -1: an expanded run stays, a single LLaVA -200 becomes its image's 729 positions."""
    out = []
    runs = iter(run_lengths)
    for t in ids:
        if t == image_id == IMAGE_TOKEN_INDEX:
            out.extend([-1] * next(runs))
        elif t == image_id:
            out.append(-1)
        else:
            out.append(t)
    return out


def compress(ids):
    """Writes a run of n visual positions (-1) as the single number -n, to keep the fixtures small."""
    out = []
    for t in ids:
        if t == -1 and out and out[-1] < 0:
            out[-1] -= 1
        else:
            out.append(t)
    return out


def run_lengths(ids):
    """Lengths of the runs of -1 in text order."""
    runs = []
    for i, t in enumerate(ids):
        if t == -1:
            if i > 0 and ids[i - 1] == -1:
                runs[-1] += 1
            else:
                runs.append(1)
    return runs


def run_family(family, bench_root, tok_dir):
    from transformers import AutoTokenizer
    tokenizer = None if family == "qwen2-vl" else AutoTokenizer.from_pretrained(tok_dir, use_fast=False)
    hf_tokenizer = None
    if family == "llava-onevision":
        hf_dir = tiny_tokenizers.build("llava-onevision", os.path.join(os.path.dirname(tok_dir), "llava-onevision"))
        hf_tokenizer = AutoTokenizer.from_pretrained(hf_dir, use_fast=False)
    qwen2vl_inputs.processor = None
    all_files = sorted(p for f in RUN_FOLDERS for p in glob.glob(os.path.join(bench_root, f, "images", "**", "*.*"),
                                                                 recursive=True))
    tiles_of = {p: INTERNVL_TILES_CYCLE[i % len(INTERNVL_TILES_CYCLE)] for i, p in enumerate(all_files)}
    samples = []
    for folder in RUN_FOLDERS:
        random.seed(0)  # seed_everything(0): one process per --dataset run
        img_dir = os.path.join(bench_root, folder, "images")
        # The reference's glob order is the OS's; RADAR replays it with sorted file names.
        for file in sorted(glob.glob(os.path.join(bench_root, folder, "*.json"))):
            with open(file) as f:
                data = json.load(f)
            task = re.match(r"(.+)_\d+_pretrained_mllm_eval\.json$", os.path.basename(file)).group(1)
            for q_id in data:
                token = {"qwen2-vl": "<|vision_start|><|image_pad|><|vision_end|>"}.get(family, "<image>")
                img_files, question, answers = image_files_and_question(family, file, data, q_id, img_dir, token)
                entry = {"key": f"{task}/{q_id}", "candidates": answers,
                         "images": [os.path.relpath(p, bench_root) for p in img_files]}
                if len(img_files) > 12:
                    entry["skipped"] = "too many images"
                    samples.append(entry)
                    continue
                if family == "qwen2-vl":
                    text, prompt, joints, visual, image_id = qwen2vl_inputs(tok_dir, img_files, question, answers,
                                                                            file)
                elif family == "internvl3.5":
                    text, prompt, joints, visual, image_id = internvl_inputs(tokenizer, img_files, question,
                                                                             answers, file, tiles_of)
                else:
                    text, prompt, joints, visual, image_id = llava_inputs(tokenizer, img_files, question, answers)
                    # The hf layout's tokenizer (with an <image> token) gives the same chunk ids: one rule for both.
                    hf = llava_inputs(hf_tokenizer, img_files, question, answers)
                    assert (hf[1], hf[2]) == (prompt, joints), f"{q_id}: hf and projector tokenizers differ"
                n_prompt = len(prompt)
                prompt_ids = expand(prompt, image_id, visual)  # only LLaVA's single -200s need the counts
                entry.update({
                    "visual_tokens": visual,
                    "prompt_text": text,
                    "prompt_ids": compress(prompt_ids),
                    # per image slot in text order (LLaVA's adjacent <image>s are separate slots)
                    "image_slot_lengths": visual if family == "llava-onevision" else run_lengths(prompt_ids),
                    "joint_ids": [compress(expand(j, image_id, visual)) for j in joints],
                    "candidate_ids": [j[n_prompt:] for j in joints],
                    "candidate_token_counts": [len(j) - n_prompt for j in joints],
                })
                samples.append(entry)
    return {"family": family, "tokenizer": FAMILIES[family], "rules": "reference-1cff150/1", "samples": samples}


def python_random_fixture():
    """CPython draws for PythonRandomTest: random(), getrandbits(k) and random.sample(range(n), 1)."""
    out = {}
    r = random.Random(0)
    out["seed0_random"] = [r.random() for _ in range(2000)]
    r = random.Random(0)
    mixed = []
    sizes = [2, 3, 4, 5, 7, 8, 10, 21, 22, 31, 100, 1000, 65536, 70001]
    for i in range(1500):
        n = sizes[i % len(sizes)]
        if i % 3 == 0:
            mixed.append(["random", r.random()])
        else:
            mixed.append(["sample", n, r.sample(list(range(n)) if n <= 1000 else range(n), 1)[0]])
    out["seed0_mixed"] = mixed
    r = random.Random(0)
    out["seed0_getrandbits"] = [[k, r.getrandbits(k)] for k in list(range(1, 33)) * 20]
    for seed in (1, 12345, 2 ** 32 + 7, 2 ** 40 + 3):
        r = random.Random(seed)
        out[f"seed{seed}_random"] = [r.random() for _ in range(100)]
    return out


def dump(obj, path):
    """Compact arrays (one sample per few lines) so the fixtures stay small and diffs readable."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        f.write("\n")


def generate(out_dir):
    bench = os.path.join(out_dir, "bench")
    shutil.rmtree(bench, ignore_errors=True)
    write_bench(bench)
    with tempfile.TemporaryDirectory() as tmp:
        for family, tok_family in FAMILIES.items():
            tok_dir = tiny_tokenizers.build(tok_family, os.path.join(tmp, tok_family))
            os.makedirs(os.path.join(out_dir, "tokenizers", tok_family), exist_ok=True)
            shutil.copyfile(os.path.join(tok_dir, "tokenizer.json"),
                            os.path.join(out_dir, "tokenizers", tok_family, "tokenizer.json"))
            golden = run_family(family, bench, tok_dir)
            dump(golden, os.path.join(out_dir, f"prompts_{family}.json"))
    dump(python_random_fixture(), os.path.join(out_dir, "python_random.json"))


def differences(a, b):
    # .radar/ is the Java benchmark reader's cache (image hashes, shard plans), not a fixture.
    cmp = filecmp.dircmp(a, b, ignore=filecmp.DEFAULT_IGNORES + [".radar"])
    out = [f"only in {cmp.left}: {x}" for x in cmp.left_only] + [f"only in {cmp.right}: {x}" for x in cmp.right_only]
    out += [f"differs: {x}" for x in cmp.diff_files]
    for sub in cmp.common_dirs:
        out += differences(os.path.join(a, sub), os.path.join(b, sub))
    return out


GENERATED = ["bench", "tokenizers", "prompts_qwen2-vl.json", "prompts_internvl3.5.json",
             "prompts_llava-onevision.json", "python_random.json"]


def main(argv=None):
    parser = argparse.ArgumentParser(description="golden prompt fixtures")
    parser.add_argument("--check", action="store_true", help="regenerate elsewhere and fail if anything differs")
    args = parser.parse_args(argv)
    if not args.check:
        generate(HERE)
        print(f"wrote {', '.join(GENERATED)} in {HERE}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp)
        diffs = []
        for name in GENERATED:
            a, b = os.path.join(HERE, name), os.path.join(tmp, name)
            if os.path.isdir(b):
                diffs += differences(a, b) if os.path.isdir(a) else [f"missing: {name}"]
            elif not os.path.exists(a) or not filecmp.cmp(a, b, shallow=False):
                diffs.append(f"differs: {name}")
        if diffs:
            print("golden prompt fixtures are stale; rerun make_prompt_golden.py and commit:\n  "
                  + "\n  ".join(diffs), file=sys.stderr)
            return 1
    print("golden prompt fixtures are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
