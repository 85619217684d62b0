"""Real RADAR processes for the client tests: ``./radar broker`` (the project's embedded KRaft broker, topics
created) and ``./radar demo`` (broker, planner, scorer, aggregator and web API in one process).

They run the Maven build's launcher; ``models/make-fixtures.sh`` builds it before this suite
(``mvn -B -q package -DskipTests``)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = REPO / "radar"


def require_build() -> None:
    if not (REPO / "target" / "lib").is_dir() or not (REPO / "target" / "classes" / "dev").is_dir():
        raise RuntimeError("RADAR is not built: run `mvn -B -q package -DskipTests` in %s first" % REPO)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_run(prefix: str) -> str:
    """A run id of its own per test, so tests never read each other's records."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


class RadarProcess:
    """``./radar ARGS`` with its output collected; ``wait_for`` a line; ``stop`` with SIGTERM (clean shutdown)."""

    def __init__(self, args: List[str], env: Optional[Dict[str, str]] = None):
        require_build()
        full_env = dict(os.environ, RADAR_JAVA_OPTS="-Xmx768m", **(env or {}))
        self.args = args
        self.lines: List[str] = []
        self._changed = threading.Condition()
        self.proc = subprocess.Popen([str(LAUNCHER)] + args, cwd=str(REPO), env=full_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout_s: float = 180) -> re.Match:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout_s
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    m = regex.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                if self.proc.poll() is not None and seen == len(self.lines):
                    raise RuntimeError("radar %s ended (%s) before /%s/:\n%s" % (" ".join(self.args),
                                       self.proc.returncode, pattern, "\n".join(self.lines[-30:])))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("radar %s: no /%s/ in %.0f s:\n%s" % (" ".join(self.args), pattern, timeout_s,
                                       "\n".join(self.lines[-30:])))
                self._changed.wait(min(left, 1.0))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def start_broker(port: int) -> RadarProcess:
    broker = RadarProcess(["broker", "--port", str(port)])
    broker.wait_for(r"Kafka broker ready at")
    return broker


def read_checkpoints(bootstrap: str, run: str, timeout_s: float = 120):
    """Every record of ``run`` on radar.checkpoints, reading each partition from the start to its end (call it
    after the publisher's flush succeeded): (partition, key, value bytes, decoded event) tuples."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    from radar_client import events

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "radar-client-test-" + uuid.uuid4().hex,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "enable.partition.eof": True})
    try:
        partitions = consumer.list_topics(events.TOPIC, timeout=30).topics[events.TOPIC].partitions
        consumer.assign([TopicPartition(events.TOPIC, p, 0) for p in partitions])
        at_end = set()
        found = []
        deadline = time.monotonic() + timeout_s
        while len(at_end) < len(partitions):
            if time.monotonic() > deadline:
                raise AssertionError("radar.checkpoints not read to its end in %.0f s (at the end: %s of %s)"
                                     % (timeout_s, sorted(at_end), sorted(partitions)))
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(msg.partition())
                continue
            at_end.discard(msg.partition())
            event = events.CHECKPOINT_SAVED.decode(msg.value())
            if event["runId"] == run:
                found.append((msg.partition(), msg.key().decode("utf-8"), msg.value(), event))
        return found
    finally:
        consumer.close()


_shared = None


def shared_broker() -> str:
    """Bootstrap address of one broker for every test of this process (tests keep apart by their own run ids);
    stopped when the process ends."""
    global _shared
    if _shared is None:
        import atexit

        port = free_port()
        _shared = ("127.0.0.1:%d" % port, start_broker(port))
        atexit.register(_shared[1].stop)
    return _shared[0]
