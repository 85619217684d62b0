"""The end-to-end training job (examples/train_tiny_hf.py: a tiny Qwen2-VL of the real class, a real Trainer,
the callback) publishes its two saved folders to the real broker; the Java end-to-end test runs the same script."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from . import radar_process

SCRIPT = radar_process.REPO / "clients" / "python" / "examples" / "train_tiny_hf.py"


def config_without_versions(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    for key in ("transformers_version", "torch_dtype", "dtype", "_name_or_path"):
        config.pop(key, None)
    return config


class TrainTinyHfExampleTest(unittest.TestCase):

    def test_two_saves_publish_two_complete_folders(self):
        bootstrap = radar_process.shared_broker()
        run = radar_process.unique_run("example")
        with tempfile.TemporaryDirectory() as out:
            done = subprocess.run([sys.executable, str(SCRIPT), "--family", "qwen2-vl", "--out", out, "--run", run,
                                   "--bootstrap", bootstrap], capture_output=True, text=True, timeout=600)
            self.assertEqual(0, done.returncode, done.stdout + done.stderr)
            events = sorted((r[3] for r in radar_process.read_checkpoints(bootstrap, run)), key=lambda e: e["step"])
            self.assertEqual([(2, os.path.join(out, "checkpoint-2"), 2 * 2 * 16),
                              (4, os.path.join(out, "checkpoint-4"), 4 * 2 * 16)],
                             [(e["step"], e["checkpointUri"], e["tokensSeen"]) for e in events])
            init_config = config_without_versions(os.path.join(out, "init"))
            for e in events:
                # One architecture for the run: the config the checkpoints were saved with is the initial one.
                self.assertEqual(init_config, config_without_versions(e["checkpointUri"]))
                files = set(os.listdir(e["checkpointUri"]))
                self.assertTrue({"config.json", "model.safetensors", "tokenizer.json",
                                 "preprocessor_config.json"} <= files, files)
                self.assertEqual({"source": "train_tiny_hf.py", "family": "qwen2-vl"}, e["attributes"])


if __name__ == "__main__":
    unittest.main()
