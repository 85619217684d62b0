"""RADAR client: publish checkpoints from a training job (Kafka or HTTP, asynchronous, never fatal, rank 0 only),
trainer callbacks, and a reader for results.

    from radar_client import Publisher
    publisher = Publisher("run-42", bootstrap_servers="kafka:9092")
    publisher.publish_checkpoint(step, "/ckpt/run-42/checkpoint-1000", tokens_seen=tokens)

Callbacks (import what your trainer needs): ``radar_client.hf.RadarTrainerCallback`` (transformers),
``radar_client.lightning.RadarLightningCallback`` (PyTorch Lightning). Wire format: ``schemas/README.md``.
"""
from .events import TOPIC, checkpoint_key, checkpoint_saved
from .publisher import Publisher, close, configure, flush, publish_checkpoint
from .ranks import global_rank, is_global_rank_zero
from .reader import UnknownRun, curves, reports

__all__ = ["Publisher", "publish_checkpoint", "configure", "flush", "close", "reports", "curves", "UnknownRun", "TOPIC",
           "checkpoint_key", "checkpoint_saved", "global_rank", "is_global_rank_zero"]
