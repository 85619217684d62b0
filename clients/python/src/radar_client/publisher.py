"""Publishing from a training job without ever stopping it.

``publish_checkpoint`` checks the event, puts it on a bounded in-memory queue and returns at once; one background
thread sends the queue in order, over Kafka (the same topic, key, partitioner and bytes as ``radar publish``) or
over HTTP (``POST /api/checkpoints`` of the aggregator's web server). A failed send is logged and retried with
exponential backoff until ``give_up_after_s``; a full queue drops the new event with an error in the log (the step
can be published again later with ``radar publish``). Delivery is at least once: the planner evaluates a
(run, step) once however often it is published.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request
import weakref
from typing import Any, Dict, Mapping, Optional

from . import events
from .ranks import is_global_rank_zero

LOG = logging.getLogger("radar_client")

ENV_BOOTSTRAP = "RADAR_BOOTSTRAP_SERVERS"
ENV_URL = "RADAR_URL"
ENV_TOKEN = "RADAR_TOKEN"


class PermanentError(Exception):
    """A send that no retry can fix (e.g. HTTP 400: the server rejected the event, 401: wrong token)."""


class KafkaTransport:
    """confluent-kafka producer set up like the Java ``CheckpointPublisher``: acks=all, and Java's murmur2
    partitioner, so that a key lands on the partition a Java producer would choose (librdkafka's default is
    CRC32)."""

    def __init__(self, bootstrap_servers: str, attempt_timeout_s: float, config: Optional[Mapping[str, Any]] = None):
        try:
            from confluent_kafka import Producer
        except ImportError as e:
            raise ImportError("publishing over Kafka needs confluent-kafka: pip install 'radar-client[kafka]' "
                              "(or give url= to publish over HTTP)") from e
        conf = {
            "bootstrap.servers": bootstrap_servers,
            "client.id": "radar-client",
            "acks": "all",
            "partitioner": "murmur2_random",
            "linger.ms": 0,
            # One attempt ends with a delivery report by this time at the latest; the publisher then backs off.
            "message.timeout.ms": int(attempt_timeout_s * 1000),
            "reconnect.backoff.max.ms": 2000,
            "logger": logging.getLogger("radar_client.kafka"),
        }
        conf.update(config or {})
        self.where = bootstrap_servers
        self.attempt_timeout_s = attempt_timeout_s
        self._producer = Producer(conf)

    def send(self, event: Dict[str, Any], stop: threading.Event) -> str:
        report: Dict[str, Any] = {}
        self._producer.produce(events.TOPIC, key=events.checkpoint_key(event["runId"], event["step"]).encode("utf-8"),
                               value=events.CHECKPOINT_SAVED.encode(event),
                               on_delivery=lambda err, msg: report.update(err=err, msg=msg))
        deadline = time.monotonic() + self.attempt_timeout_s + 10
        while "err" not in report and time.monotonic() < deadline and not stop.is_set():
            self._producer.poll(0.2)
        if "err" not in report:
            raise RuntimeError("no delivery report from %s" % self.where)
        if report["err"] is not None:
            raise RuntimeError("Kafka %s: %s" % (self.where, report["err"]))
        msg = report["msg"]
        return "%s partition %d offset %d" % (msg.topic(), msg.partition(), msg.offset())

    def close(self) -> None:
        self._producer.flush(0)


class HttpTransport:
    """``POST {url}/api/checkpoints`` with the event as JSON (``Authorization: Bearer`` when a token is given)."""

    def __init__(self, url: str, token: Optional[str], attempt_timeout_s: float):
        self.url = url.rstrip("/") + "/api/checkpoints"
        self.where = self.url
        self.token = token
        self.attempt_timeout_s = attempt_timeout_s

    def send(self, event: Dict[str, Any], stop: threading.Event) -> str:
        body = {k: v for k, v in event.items() if v is not None and k != "publishedAtMs"}
        body["attributes"] = event["attributes"]
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request(self.url, data=json.dumps(body).encode("utf-8"), headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.attempt_timeout_s) as response:
                reply = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            detail = _error_text(e)
            if 400 <= e.code < 500 and e.code not in (408, 429):
                raise PermanentError("HTTP %d from %s: %s" % (e.code, self.url, detail)) from e
            raise RuntimeError("HTTP %d from %s: %s" % (e.code, self.url, detail)) from e
        return "%s partition %s offset %s" % (reply.get("topic"), reply.get("partition"), reply.get("offset"))

    def close(self) -> None:
        pass


def _error_text(e: urllib.error.HTTPError) -> str:
    try:
        return json.loads(e.read()).get("error", "")
    except Exception:  # the reason is only for the log
        return e.reason


class Publisher:
    """Asynchronous, non-fatal publisher of CheckpointSaved events (see the module doc).

    Settings (keyword arguments; defaults in the signature):

    - ``run``: default run id of ``publish_checkpoint``.
    - ``bootstrap_servers`` (Kafka) or ``url`` (HTTP, the aggregator's web server, e.g. ``http://radar:8080``),
      exactly one; without either, the environment variables ``RADAR_BOOTSTRAP_SERVERS`` or ``RADAR_URL``.
    - ``token``: bearer token for HTTP (``web.token`` of the server); default ``RADAR_TOKEN``.
    - ``kafka_config``: extra librdkafka settings (TLS, SASL...), applied over the defaults.
    - ``queue_size``: events waiting at most; a new event beyond it is dropped and logged.
    - ``attempt_timeout_s``: one send attempt (Kafka ``message.timeout.ms``, HTTP timeout).
    - ``backoff_s`` / ``max_backoff_s``: wait after the first failed attempt, doubled up to the maximum.
    - ``give_up_after_s``: an event still failing this long after its first attempt is logged and dropped.
    - ``exit_flush_s``: how long interpreter exit waits for the queue.
    - ``rank_zero_only``: publish from global rank 0 only (``ranks.global_rank``).
    """

    def __init__(self, run: Optional[str] = None, *, bootstrap_servers: Optional[str] = None,
                 url: Optional[str] = None, token: Optional[str] = None,
                 kafka_config: Optional[Mapping[str, Any]] = None, queue_size: int = 1000,
                 attempt_timeout_s: float = 30.0, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 give_up_after_s: float = 3600.0, exit_flush_s: float = 10.0, rank_zero_only: bool = True):
        if bootstrap_servers is None and url is None:
            bootstrap_servers = os.environ.get(ENV_BOOTSTRAP) or None
            url = os.environ.get(ENV_URL) or None
        if token is None:
            token = os.environ.get(ENV_TOKEN) or None
        if (bootstrap_servers is None) == (url is None):
            raise ValueError("give bootstrap_servers= (Kafka) or url= (HTTP), exactly one (or set %s or %s)"
                             % (ENV_BOOTSTRAP, ENV_URL))
        self.run = run
        self.rank_zero_only = rank_zero_only
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.give_up_after_s = give_up_after_s
        self._active = not rank_zero_only or is_global_rank_zero()
        self._transport = None
        if self._active:  # other ranks never connect anywhere
            self._transport = (KafkaTransport(bootstrap_servers, attempt_timeout_s, kafka_config)
                               if bootstrap_servers else HttpTransport(url, token, attempt_timeout_s))
        self._queue: "queue.Queue[Dict[str, Any]]" = queue.Queue(maxsize=queue_size)
        self._pending = 0  # queued + being sent
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.published = 0
        self.failed = 0
        self.dropped = 0
        # A job that ends right after its last save still publishes it (the sender is a daemon thread).
        ref = weakref.ref(self)
        atexit.register(lambda: ref() is not None and ref().close(exit_flush_s))

    @property
    def active(self) -> bool:
        """False on ranks other than 0: this publisher sends nothing."""
        return self._active

    def publish_checkpoint(self, step: int, path: str, tokens_seen: Optional[int] = None,
                           attrs: Optional[Mapping[str, Any]] = None, *, run: Optional[str] = None,
                           benchmark: Optional[str] = None, model_format: Optional[str] = None,
                           reevaluate: bool = False) -> bool:
        """Queues one CheckpointSaved and returns at once; never raises for a RADAR problem.

        Returns True when queued; False on ranks other than 0, for an invalid event (logged) and when the queue is
        full (logged). Publish after the checkpoint folder is completely written.
        """
        if not self._active:
            return False
        if self._stop.is_set():
            LOG.error("RADAR: step %s not published: the publisher is closed", step)
            return False
        try:
            event = events.checkpoint_saved(run or self.run, step, path, tokens_seen, attrs, benchmark,
                                            model_format, reevaluate)
        except ValueError as e:
            LOG.error("RADAR: step %s not published: %s", step, e)
            self.failed += 1
            return False
        with self._lock:
            try:
                self._queue.put_nowait(event)
            except queue.Full:
                self.dropped += 1
                LOG.error("RADAR: queue full (%d events waiting, RADAR unreachable?): run %s step %s dropped; "
                          "publish it later with `radar publish`", self._queue.maxsize, event["runId"], step)
                return False
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._send_loop, name="radar-publisher", daemon=True)
                self._thread.start()
        return True

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every queued event is sent or given up; False if some are still pending at ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def close(self, timeout: Optional[float] = 30.0) -> bool:
        """Flushes for up to ``timeout`` s, then stops; events still unsent are logged as not published."""
        if self._stop.is_set():
            return self._pending == 0
        done = self.flush(timeout)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                break
            LOG.error("RADAR: run %s step %s not published: closed before RADAR answered", event["runId"],
                      event["step"])
        if self._transport is not None:
            self._transport.close()
        return done

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            try:
                event = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self._send_with_retries(event)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._lock.notify_all()

    def _send_with_retries(self, event: Dict[str, Any]) -> None:
        what = "run %s step %s" % (event["runId"], event["step"])
        started = time.monotonic()
        delay = self.backoff_s
        attempt = 1
        while True:
            try:
                where = self._transport.send(event, self._stop)
                self.published += 1
                LOG.info("RADAR: published %s -> %s", what, where)
                return
            except PermanentError as e:
                self.failed += 1
                LOG.error("RADAR: %s rejected, not retried: %s", what, e)
                return
            except Exception as e:  # any transport failure is retried: RADAR being down must not matter
                if self._stop.is_set() or time.monotonic() - started + delay > self.give_up_after_s:
                    self.failed += 1
                    LOG.error("RADAR: %s not published after %d attempts over %.0f s: %s", what, attempt,
                              time.monotonic() - started, e)
                    return
                LOG.warning("RADAR: %s not published yet (attempt %d: %s); retrying in %.1f s", what, attempt, e,
                            delay)
            if self._stop.wait(delay):
                self.failed += 1
                LOG.error("RADAR: %s not published: closed while retrying", what)
                return
            attempt += 1
            delay = min(delay * 2, self.max_backoff_s)


_default: Optional[Publisher] = None
_default_lock = threading.Lock()


def configure(run: Optional[str] = None, **kwargs: Any) -> Publisher:
    """Sets up the publisher that the module-level ``publish_checkpoint`` uses (arguments of ``Publisher``)."""
    global _default
    with _default_lock:
        old, _default = _default, Publisher(run, **kwargs)
    if old is not None:
        old.close()
    return _default


def default_publisher() -> Publisher:
    global _default
    with _default_lock:
        if _default is None:
            _default = Publisher()
        return _default


def publish_checkpoint(run: str, step: int, path: str, tokens_seen: Optional[int] = None,
                       attrs: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> bool:
    """Queues a CheckpointSaved on the default publisher (``configure``, else the environment variables) and
    returns at once; see ``Publisher.publish_checkpoint``."""
    try:
        publisher = default_publisher()
    except (ValueError, ImportError) as e:
        LOG.error("RADAR: step %s not published: %s", step, e)
        return False
    return publisher.publish_checkpoint(step, path, tokens_seen, attrs, run=run, **kwargs)


def flush(timeout: Optional[float] = None) -> bool:
    return _default.flush(timeout) if _default is not None else True


def close(timeout: Optional[float] = 30.0) -> bool:
    global _default
    with _default_lock:
        old, _default = _default, None
    return old.close(timeout) if old is not None else True
