"""The CheckpointSaved event as the Java side defines it: schema (a copy of ``schemas/CheckpointSaved.avsc`` and its
history, checked equal by the tests), topic, key and the checks ``CheckpointValidator`` makes before planning."""
from __future__ import annotations

import json
import operator
import os
import time
from importlib import resources
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlparse

from .avro import SingleObjectCodec

TOPIC = "radar.checkpoints"


def _schema(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("schemas", name).read_text(encoding="utf-8"))


CHECKPOINT_SAVED_SCHEMA = _schema("CheckpointSaved.avsc")
CHECKPOINT_SAVED = SingleObjectCodec(CHECKPOINT_SAVED_SCHEMA, older=[_schema("CheckpointSaved-v1.avsc")])


def checkpoint_key(run: str, step: int) -> str:
    """Key of every record of one (run, step): ``EventKeys.checkpoint`` in Java."""
    return "%s/%d" % (run, step)


def checkpoint_uri(path: str) -> str:
    """The checkpoint location as the scorers must read it: an absolute local path (a relative one would be
    resolved against the scorer's working directory, not the training job's); ``file:`` URIs pass unchanged."""
    path = os.fspath(path)
    if path.startswith("file:"):
        return path
    scheme = urlparse(path).scheme
    if scheme and len(scheme) > 1:  # one letter: a Windows drive, not a scheme
        raise ValueError("checkpoint path %r: unsupported scheme %r (use a local path or file: URI)" % (path, scheme))
    return os.path.abspath(path)


def _count(name: str, value: Any) -> int:
    """An integer >= 0; numpy and torch integers (what trainers hold) count as integers, floats and bools do not."""
    if isinstance(value, bool):
        raise ValueError("%s must be an integer >= 0, was %r" % (name, value))
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError("%s must be an integer >= 0, was %r" % (name, value)) from None
    if number < 0:
        raise ValueError("%s must be an integer >= 0, was %r" % (name, value))
    return number


def checkpoint_saved(run: str, step: int, path: str, tokens_seen: Optional[int] = None,
                     attrs: Optional[Mapping[str, Any]] = None, benchmark: Optional[str] = None,
                     model_format: Optional[str] = None, reevaluate: bool = False,
                     published_at_ms: Optional[int] = None) -> Dict[str, Any]:
    """A checked CheckpointSaved record; raises ValueError naming the wrong argument."""
    if not isinstance(run, str) or not run.strip():
        raise ValueError("run must be a non-empty string, was %r" % (run,))
    step = _count("step", step)
    tokens_seen = None if tokens_seen is None else _count("tokens_seen", tokens_seen)
    fields = CHECKPOINT_SAVED_SCHEMA["fields"]
    defaults = {f["name"]: f.get("default") for f in fields}
    return {
        "runId": run,
        "step": step,
        "checkpointUri": checkpoint_uri(path),
        "modelFormat": model_format or defaults["modelFormat"],
        "benchmark": benchmark or defaults["benchmark"],
        "tokensSeen": tokens_seen,
        "reevaluate": bool(reevaluate),
        "attributes": {str(k): str(v) for k, v in (attrs or {}).items()},
        "publishedAtMs": int(time.time() * 1000) if published_at_ms is None else published_at_ms,
    }
