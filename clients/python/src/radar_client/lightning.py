"""PyTorch Lightning callback: writes the Hugging Face model of each Lightning checkpoint as a
``save_pretrained`` folder and publishes that folder.

Lightning's own ``.ckpt`` is one pickled state dict of the LightningModule, which RADAR cannot score; RADAR
evaluates Hugging Face checkpoints. So whenever Lightning saves a checkpoint (``ModelCheckpoint`` or
``trainer.save_checkpoint``), this callback, in ``on_save_checkpoint`` and on global rank 0, calls
``save_pretrained`` on the module's Hugging Face model into ``<save_dir>/checkpoint-<global_step>`` (the layout the
HF Trainer uses) and publishes that folder once ``save_pretrained`` has returned, i.e. once it is complete on disk.
The model must be whole on rank 0 (single device, DDP); with sharded strategies (FSDP, DeepSpeed ZeRO-3) gather a
full state dict first.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Mapping, Optional

import sys

# Lightning ships as `pytorch_lightning` and as `lightning.pytorch`, and a Trainer accepts only callbacks of its own
# package: take the one the job already imported, else whichever is installed.
if "pytorch_lightning" in sys.modules or "lightning" not in sys.modules:
    try:
        from pytorch_lightning.callbacks import Callback
    except ImportError:
        from lightning.pytorch.callbacks import Callback
else:
    from lightning.pytorch.callbacks import Callback

from .publisher import Publisher


class RadarLightningCallback(Callback):
    """``Trainer(callbacks=[ModelCheckpoint(...), RadarLightningCallback(save_dir, publisher)])``.

    ``hf_model(pl_module)`` returns the ``PreTrainedModel`` to save (default: ``pl_module.model``); ``processor``
    (a tokenizer or processor) is saved beside it when given. ``tokens_seen(trainer, pl_module)`` gives the tokens
    seen, default: the module's ``tokens_seen`` attribute when it has one.
    """

    def __init__(self, save_dir: str, publisher: Optional[Publisher] = None, *, run: Optional[str] = None,
                 hf_model: Callable[[Any], Any] = lambda module: module.model, processor: Any = None,
                 tokens_seen: Optional[Callable[[Any, Any], Optional[int]]] = None,
                 attrs: Optional[Mapping[str, Any]] = None, **publisher_kwargs: Any):
        self.save_dir = os.path.abspath(save_dir)
        self.publisher = publisher if publisher is not None else Publisher(run, **publisher_kwargs)
        self.run = run or self.publisher.run
        self.hf_model = hf_model
        self.processor = processor
        self.tokens_seen = tokens_seen or (lambda trainer, module: getattr(module, "tokens_seen", None))
        self.attrs = dict(attrs or {})
        self._saved_steps = set()

    def on_save_checkpoint(self, trainer, pl_module, checkpoint):
        step = trainer.global_step
        # Lightning may save twice at one step (e.g. two ModelCheckpoint callbacks): one HF folder, one event.
        if not trainer.is_global_zero or not self.publisher.active or step in self._saved_steps:
            return
        self._saved_steps.add(step)
        folder = os.path.join(self.save_dir, "checkpoint-%d" % step)
        self.hf_model(pl_module).save_pretrained(folder)
        if self.processor is not None:
            self.processor.save_pretrained(folder)
        tokens = self.tokens_seen(trainer, pl_module)
        self.publisher.publish_checkpoint(step, folder, None if tokens is None else int(tokens), self.attrs,
                                          run=self.run)
