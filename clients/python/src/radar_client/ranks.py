"""Which process of a distributed job publishes: global rank 0 only, so N workers saving one checkpoint give one
event, not N."""
from __future__ import annotations

import os
import sys


def global_rank() -> int:
    """The global rank: torch.distributed's when a process group is initialised, else ``RANK`` (set by torchrun,
    accelerate and Lightning's launchers for every process), else 0 (a single process)."""
    torch = sys.modules.get("torch")  # not imported by the job: no process group can exist
    if torch is not None:
        dist = getattr(torch, "distributed", None)
        if dist is not None and dist.is_available() and dist.is_initialized():
            return int(dist.get_rank())
    rank = os.environ.get("RANK", "").strip()
    return int(rank) if rank else 0


def is_global_rank_zero() -> bool:
    return global_rank() == 0
