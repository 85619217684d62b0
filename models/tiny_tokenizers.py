"""Small tokenizers in the real format of each model family RADAR scores, built offline.

Each one is a Qwen2-style byte-level BPE (the layout ``Qwen2TokenizerFast`` has: NFC normaliser, Qwen2's split
regex, ByteLevel without prefix space, no BOS) whose merges are trained on a small English + benchmark-vocabulary
corpus, followed by the family's added tokens with their real strings IN THEIR REAL ORDER. The real checkpoints put
the added tokens after 151643 regular ids; here they start at ``BASE_VOCAB`` (1000), so an added token's id is
``BASE_VOCAB + (real id - 151643)``. That keeps the vocabulary under 2000 ids (tiny models stay tiny) while the
tokens, their order, their special flags and the pre-tokenisation around them behave as in the real tokenizers.

Families (``build(family, out_dir)``):

==============================  ==========================================================================
family                          added tokens (id = 1000 + offset)
==============================  ==========================================================================
qwen2-vl                        Qwen2-VL-2B (base): <|endoftext|> 1000, <|im_start|> 1001, <|im_end|> 1002,
                                <|object_ref_start|> 1003 ... <|vision_start|> 1009, <|vision_end|> 1010,
                                <|vision_pad|> 1011, <|image_pad|> 1012, <|video_pad|> 1013; eos <|im_end|>,
                                pad <|endoftext|>; the base model's chat template (it only concatenates) is saved
                                in tokenizer_config.json, and a Qwen2VLProcessor (chat_template.json/jinja +
                                preprocessor_config.json) is saved next to it.
internvl3.5                     Qwen3's 26 tokens (<|endoftext|> 1000 ... <|video_pad|> 1013, <tool_call> 1014,
                                </tool_call> 1015, <|fim_prefix|> 1016 ... <|file_sep|> 1021, <tool_response>
                                1022, </tool_response> 1023, <think> 1024, </think> 1025; the last twelve are
                                not "special", as in Qwen3) then InternVL's: <img> 1026, </img> 1027,
                                <IMG_CONTEXT> 1028, <quad> 1029, </quad> 1030, <ref> 1031, </ref> 1032,
                                <box> 1033, </box> 1034; eos <|im_end|>, pad <|endoftext|>.
llava-onevision                 llava-hf OneVision (Qwen2 + LLaVA's tokens): <|endoftext|> 1000,
                                <|im_start|> 1001, <|im_end|> 1002, <image> 1003, <video> 1004.
llava-onevision-projector       plain Qwen2 (the LM of projector-only LLaVA checkpoints, which splice images in
                                with tokenizer_image_token, so there is NO <image> token): <|endoftext|> 1000,
                                <|im_start|> 1001, <|im_end|> 1002; eos <|im_end|> (Qwen2-0.5B-Instruct, the
                                run scripts' --model_base), pad <|endoftext|>.
==============================  ==========================================================================

The merges are deterministic (same corpus, same trainer settings); ``--check`` builds twice and compares.

    python models/tiny_tokenizers.py --out DIR      # builds DIR/<family>/ for every family
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

BASE_VOCAB = 1000
"""Regular (byte + merged) ids: 256 byte symbols and 744 merges. Added tokens start here."""

QWEN2_SPLIT = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"""
               r"""\s*[\r\n]+|\s+(?!\S)|\s+""")

QWEN2_CORE = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
QWEN2_VL_EXTRA = ["<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>",
                  "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
                  "<|image_pad|>", "<|video_pad|>"]
QWEN3_NOT_SPECIAL = ["<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
                     "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<tool_response>", "</tool_response>",
                     "<think>", "</think>"]
INTERNVL_TOKENS = ["<img>", "</img>", "<IMG_CONTEXT>", "<quad>", "</quad>", "<ref>", "</ref>", "<box>", "</box>"]

# Qwen2-VL-2B (base) chat template: it renders each item of the message list, images as the vision triple and text
# items as their text, with no roles. The reference passes such a flat list (see qwen2vl_pretrained_mllm_eval.py).
QWEN2_VL_BASE_CHAT_TEMPLATE = (
    "{% if messages is string %}{{ messages }}{% else %}{% for content in messages %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}{% endif %}")

# (token, special) in id order, per family.
FAMILY_TOKENS = {
    "qwen2-vl": [(t, True) for t in QWEN2_CORE + QWEN2_VL_EXTRA],
    "internvl3.5": ([(t, True) for t in QWEN2_CORE + QWEN2_VL_EXTRA] + [(t, False) for t in QWEN3_NOT_SPECIAL]
                    + [(t, True) for t in INTERNVL_TOKENS]),
    "llava-onevision": [(t, True) for t in QWEN2_CORE + ["<image>", "<video>"]],
    "llava-onevision-projector": [(t, True) for t in QWEN2_CORE],
}
FAMILY_EOS = {"qwen2-vl": "<|im_end|>", "internvl3.5": "<|im_end|>", "llava-onevision": "<|im_end|>",
              "llava-onevision-projector": "<|im_end|>"}  # the scripts' model_base is Qwen2-0.5B-Instruct
FAMILIES = tuple(FAMILY_TOKENS)

_WORDS = """the of and to in is a that for it as was with be by on not he this are or his from at which but have an
they you were her she there one all we their has been if more when will would who so no out up into do than its
only other new some could time these two may then first any like now my such make over our even most me state
after also made many did must before back see through way where get much go well your know should down work year
because come people just say each those take day good how long very own think between both life being under never
same another while last might great since against right three next few small large left top bottom middle center
above below behind front near far inside outside color red green blue yellow black white orange purple brown gray
pink shape circle square triangle rectangle star object objects number count many how much picture image photo
figure diagram chart graph table plot axis value values total sum difference product ratio percent percentage
angle degree degrees length width height area volume radius diameter perimeter line lines point points segment
velocity acceleration force mass energy momentum charge current voltage resistance field magnetic electric
wave frequency light lens mirror circuit pressure temperature heat gas liquid solid particle speed distance
animal plant species genus family tree flower bird dog cat fish insect mammal reptile leaf fruit seed
attraction building tower bridge temple church museum park mountain river lake city country famous landmark
celebrity actor singer writer player person man woman child name known identity
question answer option options correct select following choose best describes shown based according given
which what who whom whose why where when does is are can will would should could might Please Which What How
Who Where When Why Is Are Does Do Can In On At From Based Given Consider Find Calculate Determine Compute
mathematical reasoning physical physics chemistry biology geography history art music economics accounting
finance management marketing engineering computer science medicine health literature sociology psychology
spatial relation relative position orientation direction north south east west clockwise counterclockwise
closer farther higher lower bigger smaller larger longer shorter heavier lighter equal greater less
true false yes no none both neither either all of the above
"""
_SENTENCES = [
    "Which of the following best describes the image?",
    "What is shown in the picture?",
    "Please select the correct option: ",
    "Which option is correct? A. B. C. D.",
    "Based on the image, what is the value of x?",
    "What color is the shape? What shape is shown? How many shapes are there?",
    "Which color has the most shapes? What color is the shape left of the red shape?",
    "Is the object on the left bigger than the object on the right?",
    "What is the name of this animal? What is the name of this plant?",
    "Who is the person in the image? Which attraction is shown in the picture?",
    "Find the area of the triangle. Round your answer to two decimal places.",
    "Calculate the speed of the particle at t = 2 s. The mass is 3.5 kg and the force is 12 N.",
    "The circuit has a resistance of 10 ohms and a current of 0.5 A; what is the voltage?",
    "According to the chart, which year had the highest value? 2019, 2020, 2021, 2022.",
    "In the figure, AB = 6, BC = 8 and angle ABC = 90 degrees. What is AC?",
    "Hint: Please answer the question and provide the final answer at the end.",
    "Question: What is the total number of objects? Answer: 7",
    "The answer is (A). The answer is (B). The answer is (C). The answer is (D).",
    "It's the cat's toy; they're here, we've seen it, I'm sure, you'll see, he'd know.",
    "x^2 + y^2 = r^2, f(x) = 3x + 2, y = mx + b, a/b = c/d, 50% of 80 is 40, (1, 2), [3, 4], {5}",
    "Email: a@b.c; cost: $12.50; time: 10:30; ratio 3:4; 1st 2nd 3rd 4th; e.g. i.e. etc.",
]


def training_corpus() -> list[str]:
    """English words, the benchmark's question vocabulary, digits and punctuation (deterministic)."""
    words = _WORDS.split()
    lines = list(_SENTENCES)
    for i in range(0, len(words), 12):
        chunk = words[i:i + 12]
        lines.append(" ".join(chunk))
        lines.append(" ".join(w.capitalize() for w in chunk) + ".")
        lines.append("\n".join(chunk))
    lines.append(" ".join(str(n) for n in range(0, 200)))
    lines.append(" ".join(f"{n / 4:.2f}" for n in range(0, 80)))
    lines.append("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t\n\r\n  ")
    lines.append("café naïve résumé Ωμέγα 数学 物理 – — … “quotes” ‘single’ °C ± × ÷ √ π ∠ △")
    return lines * 3


def _base_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None, continuing_subword_prefix="", end_of_word_suffix="",
                               fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=BASE_VOCAB, min_frequency=2, show_progress=False, special_tokens=[],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(training_corpus(), trainer=trainer)
    if tok.get_vocab_size() != BASE_VOCAB:
        raise RuntimeError(f"BPE training gave {tok.get_vocab_size()} regular ids, expected {BASE_VOCAB}: "
                           "enlarge the corpus")
    return tok


def build(family: str, out_dir: str) -> str:
    """Writes the family's tiny tokenizer (tokenizer.json, tokenizer_config.json, ...) into out_dir."""
    if family not in FAMILY_TOKENS:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    from transformers import Qwen2TokenizerFast

    tok = _base_tokenizer()
    for offset, (content, special) in enumerate(FAMILY_TOKENS[family]):
        added = AddedToken(content, special=special, normalized=False, lstrip=False, rstrip=False,
                           single_word=False)
        n = tok.add_special_tokens([added]) if special else tok.add_tokens([added])
        if n != 1 or tok.token_to_id(content) != BASE_VOCAB + offset:
            raise RuntimeError(f"{family}: {content} did not get id {BASE_VOCAB + offset}")
    specials = [t for t, s in FAMILY_TOKENS[family] if s]
    hf = Qwen2TokenizerFast(
        tokenizer_object=tok, bos_token=None, unk_token=None, eos_token=FAMILY_EOS[family],
        pad_token="<|endoftext|>", errors="replace", clean_up_tokenization_spaces=False,
        additional_special_tokens=[t for t in specials if t not in ("<|endoftext|>", FAMILY_EOS[family])],
        model_max_length=32768, add_prefix_space=False, split_special_tokens=False)
    if family == "qwen2-vl":
        hf.padding_side = "left"   # as Qwen2-VL-2B's tokenizer_config.json
        hf.chat_template = QWEN2_VL_BASE_CHAT_TEMPLATE
    if len(hf) != BASE_VOCAB + len(FAMILY_TOKENS[family]):
        raise RuntimeError(f"{family}: vocabulary has {len(hf)} ids")
    os.makedirs(out_dir, exist_ok=True)
    hf.save_pretrained(out_dir)
    if family == "qwen2-vl":
        # The reference calls processor.apply_chat_template: save a processor carrying the base template.
        from transformers import Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor
        Qwen2VLProcessor(image_processor=Qwen2VLImageProcessor(), tokenizer=hf,
                         video_processor=Qwen2VLVideoProcessor(),
                         chat_template=QWEN2_VL_BASE_CHAT_TEMPLATE).save_pretrained(out_dir)
    return out_dir


def _digest(path: str) -> str:
    with open(os.path.join(path, "tokenizer.json"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="directory; each family goes to OUT/<family>/")
    parser.add_argument("--family", action="append", choices=FAMILIES, help="only these families (repeatable)")
    parser.add_argument("--check", action="store_true", help="build twice and fail if the files differ")
    args = parser.parse_args(argv)
    for family in args.family or FAMILIES:
        out = build(family, os.path.join(args.out, family))
        if args.check:
            with tempfile.TemporaryDirectory() as again:
                build(family, again)
                if _digest(again) != _digest(out):
                    print(f"{family}: tokenizer.json differs between two builds", file=sys.stderr)
                    return 1
        print(json.dumps({"family": family, "dir": out, "sha256": _digest(out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
