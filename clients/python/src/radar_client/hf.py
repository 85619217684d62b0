"""Hugging Face ``Trainer`` callback: publishes every checkpoint folder the Trainer has just saved."""
from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional

from transformers import TrainerCallback

from .publisher import Publisher

LOG = logging.getLogger("radar_client")


class RadarTrainerCallback(TrainerCallback):
    """Attach with ``Trainer(..., callbacks=[RadarTrainerCallback(publisher)])``.

    ``on_save`` runs once ``checkpoint-<global_step>`` under ``args.output_dir`` is completely written (weights,
    config, optimizer state), on every process; the publisher sends from global rank 0 only. Tokens seen come from
    ``state.num_input_tokens_seen`` when the Trainer counts them (``include_num_input_tokens_seen``), else none are
    sent. ``attrs`` go into every event (data mix, learning-rate schedule...).
    """

    def __init__(self, publisher: Optional[Publisher] = None, *, run: Optional[str] = None,
                 attrs: Optional[Mapping[str, Any]] = None, **publisher_kwargs: Any):
        self.publisher = publisher if publisher is not None else Publisher(run, **publisher_kwargs)
        self.run = run or self.publisher.run
        self.attrs = dict(attrs or {})

    def on_save(self, args, state, control, **kwargs):
        if not self.publisher.active:
            return control
        step = state.global_step
        folder = os.path.join(args.output_dir, "checkpoint-%d" % step)
        if not os.path.isdir(folder):
            LOG.warning("RADAR: step %d not published: the Trainer saved no folder %s", step, folder)
            return control
        counting = args.include_num_input_tokens_seen not in (False, "no", None)
        tokens = int(state.num_input_tokens_seen) if counting else None
        self.publisher.publish_checkpoint(step, folder, tokens, self.attrs, run=self.run or args.run_name)
        return control
