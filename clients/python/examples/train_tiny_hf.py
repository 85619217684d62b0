#!/usr/bin/env python3
"""A training job as RADAR users run one, for the end-to-end test: a tiny random-initialised Hugging Face model of
a supported family (models/tiny_hf.py: real class, real tokenizer format), saved as ``OUT/init``, trained for a few steps by a real
``transformers.Trainer`` with ``RadarTrainerCallback`` attached, saving every ``--save-steps`` steps. Each saved
``checkpoint-<step>`` folder (config.json, model.safetensors, tokenizer/processor files) is published to RADAR.

    python clients/python/examples/train_tiny_hf.py --family qwen2-vl --out /tmp/run --run e2e-1 \\
        --bootstrap 127.0.0.1:9092 [--steps 4 --save-steps 2]

Prints one line per published checkpoint (``published STEP PATH TOKENS``) and exits 0 once every event is
acknowledged, 1 otherwise.
"""
import argparse
import json
import logging
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "clients", "python", "src"))
sys.path.insert(0, os.path.join(REPO, "models"))


class TextDataset:
    """Language-model batches of fixed length from the family's own tokenizer (text only: enough to move weights)."""

    def __init__(self, tokenizer, length=16, count=32):
        import torch
        g = torch.Generator().manual_seed(7)
        text = " ".join("the %s square is left of the %s circle" % (a, b)
                        for a, b in zip(["red", "blue", "green", "small"] * 8, ["big", "red", "pale", "blue"] * 8))
        ids = tokenizer(text, return_tensors="pt")["input_ids"][0]
        starts = torch.randint(0, max(1, len(ids) - length), (count,), generator=g)
        self.rows = [ids[s:s + length] for s in starts.tolist()]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return {"input_ids": self.rows[i], "labels": self.rows[i]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", default="qwen2-vl", choices=("qwen2-vl", "internvl3.5", "llava-onevision"))
    ap.add_argument("--out", required=True, help="output_dir of the Trainer (checkpoint-<step> folders)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers of RADAR")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--save-steps", type=int, default=2)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    import tiny_hf
    from transformers import AutoModelForImageTextToText, AutoProcessor, Trainer, TrainingArguments

    from radar_client import Publisher
    from radar_client.hf import RadarTrainerCallback

    init = os.path.join(args.out, "init")
    tiny_hf.build(args.family, init)
    model = AutoModelForImageTextToText.from_pretrained(init)
    processor = AutoProcessor.from_pretrained(init)
    tokenizer = getattr(processor, "tokenizer", processor)
    # The Trainer rewrites the model's special-token ids to the tokenizer's before training; doing it here, and
    # saving the result as the run's initial checkpoint, keeps config.json equal in init/ and in every
    # checkpoint-<step>/ (one architecture for the whole run: its architecture package can be made from init/).
    for name in ("eos_token_id", "bos_token_id", "pad_token_id"):
        setattr(model.config, name, getattr(tokenizer, name))
        setattr(model.generation_config, name, getattr(tokenizer, name))
    model.save_pretrained(init)
    processor.save_pretrained(init)

    published = []

    class Recording(Publisher):
        def publish_checkpoint(self, step, path, *a, **kw):
            published.append((step, os.path.abspath(path), a[0] if a else kw.get("tokens_seen")))
            return super().publish_checkpoint(step, path, *a, **kw)

    radar = Recording(args.run, bootstrap_servers=args.bootstrap)
    training = TrainingArguments(output_dir=args.out, max_steps=args.steps, save_steps=args.save_steps,
                                 per_device_train_batch_size=2, learning_rate=5e-3, include_num_input_tokens_seen=True,
                                 report_to=[], use_cpu=True, logging_strategy="no", disable_tqdm=True, seed=0,
                                 save_safetensors=True)
    Trainer(model=model, args=training, train_dataset=TextDataset(tokenizer), processing_class=processor,
            callbacks=[RadarTrainerCallback(radar, attrs={"source": "train_tiny_hf.py", "family": args.family})]
            ).train()
    ok = radar.close(120) and radar.published == len(published) and radar.failed == 0
    for step, path, tokens in published:
        print("published %d %s %s" % (step, path, tokens))
    print(json.dumps({"published": radar.published, "failed": radar.failed, "dropped": radar.dropped}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
