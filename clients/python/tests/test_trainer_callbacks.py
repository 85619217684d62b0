"""The callbacks on real trainers: a ``transformers.Trainer`` and a PyTorch Lightning ``Trainer`` train a tiny
random model for 4 steps, saving at steps 2 and 4, and the callback publishes each saved folder to the real broker
with its step and tokens seen, once the folder is complete."""
import os
import tempfile
import unittest

import torch

from radar_client import Publisher

from . import radar_process, tiny_lm

# What a Hugging Face checkpoint folder holds once save_pretrained has finished.
COMPLETE = {"config.json", "model.safetensors"}


class RecordingPublisher(Publisher):
    """The real publisher, also noting which files the published folder held at the moment it was published."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder_contents = {}

    def publish_checkpoint(self, step, path, *args, **kwargs):
        self.folder_contents[step] = set(os.listdir(path))
        return super().publish_checkpoint(step, path, *args, **kwargs)


class TrainerCallbacksTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bootstrap = radar_process.shared_broker()

    def published(self, run, publisher):
        self.assertTrue(publisher.close(120))
        return sorted((r[3] for r in radar_process.read_checkpoints(self.bootstrap, run)), key=lambda e: e["step"])

    def test_hf_trainer_publishes_each_saved_checkpoint_folder(self):
        from transformers import Trainer, TrainingArguments

        from radar_client.hf import RadarTrainerCallback

        run = radar_process.unique_run("hf")
        publisher = RecordingPublisher(run, bootstrap_servers=self.bootstrap)
        with tempfile.TemporaryDirectory() as out:
            args = TrainingArguments(output_dir=out, max_steps=4, save_steps=2, per_device_train_batch_size=tiny_lm.BATCH,
                                     include_num_input_tokens_seen=True, report_to=[], use_cpu=True,
                                     logging_strategy="no", save_safetensors=True, disable_tqdm=True, seed=0)
            trainer = Trainer(model=tiny_lm.tiny_model(), args=args, train_dataset=tiny_lm.TokenDataset(),
                              callbacks=[RadarTrainerCallback(publisher, attrs={"data_mix": "tiny"})])
            trainer.train()
            events = self.published(run, publisher)

            self.assertEqual([2, 4], [e["step"] for e in events])
            for e in events:
                self.assertEqual(os.path.join(os.path.abspath(out), "checkpoint-%d" % e["step"]), e["checkpointUri"])
                self.assertEqual(e["step"] * tiny_lm.BATCH * tiny_lm.SEQ_LEN, e["tokensSeen"])
                self.assertEqual({"data_mix": "tiny"}, e["attributes"])
                self.assertTrue(COMPLETE <= publisher.folder_contents[e["step"]], publisher.folder_contents)

    def test_hf_trainer_trains_on_while_radar_is_down_and_publishes_once_it_is_up(self):
        import threading

        from transformers import Trainer, TrainingArguments

        from radar_client.hf import RadarTrainerCallback

        port = radar_process.free_port()  # no broker there yet
        bootstrap = "127.0.0.1:%d" % port
        run = radar_process.unique_run("hf-down")
        publisher = Publisher(run, bootstrap_servers=bootstrap, attempt_timeout_s=2, backoff_s=0.5, max_backoff_s=2)
        broker = None
        try:
            with tempfile.TemporaryDirectory() as out:
                args = TrainingArguments(output_dir=out, max_steps=4, save_steps=2, per_device_train_batch_size=2,
                                         include_num_input_tokens_seen=True, report_to=[], use_cpu=True,
                                         logging_strategy="no", disable_tqdm=True)
                trainer = Trainer(model=tiny_lm.tiny_model(), args=args, train_dataset=tiny_lm.TokenDataset(),
                                  callbacks=[RadarTrainerCallback(publisher)])
                training = threading.Thread(target=trainer.train)
                training.start()
                training.join(300)  # a callback waiting for RADAR would hang training here
                self.assertFalse(training.is_alive())
                self.assertEqual(4, trainer.state.global_step)
                self.assertEqual(0, publisher.published)

                broker = radar_process.start_broker(port)
                self.assertTrue(publisher.close(180))
                got = sorted((r[3]["step"], r[3]["checkpointUri"]) for r in radar_process.read_checkpoints(bootstrap,
                                                                                                           run))
                self.assertEqual([(2, os.path.join(out, "checkpoint-2")), (4, os.path.join(out, "checkpoint-4"))], got)
        finally:
            publisher.close(0)
            if broker is not None:
                broker.stop()

    def test_hf_trainer_without_token_counting_sends_no_tokens(self):
        from transformers import Trainer, TrainingArguments

        from radar_client.hf import RadarTrainerCallback

        run = radar_process.unique_run("hf-notokens")
        publisher = Publisher(run, bootstrap_servers=self.bootstrap)
        with tempfile.TemporaryDirectory() as out:
            args = TrainingArguments(output_dir=out, max_steps=2, save_steps=2, per_device_train_batch_size=2,
                                     report_to=[], use_cpu=True, logging_strategy="no", disable_tqdm=True)
            Trainer(model=tiny_lm.tiny_model(), args=args, train_dataset=tiny_lm.TokenDataset(),
                    callbacks=[RadarTrainerCallback(publisher)]).train()
            [event] = self.published(run, publisher)
        self.assertEqual(2, event["step"])
        self.assertIsNone(event["tokensSeen"])

    def test_lightning_publishes_a_hugging_face_folder_per_checkpoint(self):
        import pytorch_lightning as pl
        from pytorch_lightning.callbacks import ModelCheckpoint
        from transformers import AutoModelForCausalLM

        from radar_client.lightning import RadarLightningCallback

        class TinyLm(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.model = tiny_lm.tiny_model()
                self.tokens_seen = 0

            def training_step(self, batch, _):
                self.tokens_seen += batch["input_ids"].numel()
                return self.model(**batch).loss

            def configure_optimizers(self):
                return torch.optim.AdamW(self.parameters(), lr=1e-3)

        run = radar_process.unique_run("lightning")
        publisher = RecordingPublisher(run, bootstrap_servers=self.bootstrap)
        with tempfile.TemporaryDirectory() as out:
            module = TinyLm()
            trainer = pl.Trainer(max_steps=4, accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                                 enable_model_summary=False, default_root_dir=out, callbacks=[
                                     ModelCheckpoint(dirpath=os.path.join(out, "lightning"), every_n_train_steps=2,
                                                     save_top_k=-1),
                                     RadarLightningCallback(os.path.join(out, "hf"), publisher)])
            loader = torch.utils.data.DataLoader(tiny_lm.TokenDataset(), batch_size=tiny_lm.BATCH)
            trainer.fit(module, loader)
            events = self.published(run, publisher)

            self.assertEqual([2, 4], [e["step"] for e in events])
            for e in events:
                self.assertEqual(os.path.join(out, "hf", "checkpoint-%d" % e["step"]), e["checkpointUri"])
                self.assertEqual(e["step"] * tiny_lm.BATCH * tiny_lm.SEQ_LEN, e["tokensSeen"])
                self.assertTrue(COMPLETE <= publisher.folder_contents[e["step"]], publisher.folder_contents)
            # The published folder is a loadable HF checkpoint holding the weights of that step (4 = the last).
            saved = AutoModelForCausalLM.from_pretrained(events[-1]["checkpointUri"])
            for (name, p), q in zip(module.model.state_dict().items(), saved.state_dict().values()):
                self.assertTrue(torch.equal(p, q), name)


if __name__ == "__main__":
    unittest.main()
