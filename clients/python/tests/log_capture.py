"""Collects the client's log records so that a test can wait for one and check what was logged."""
import logging
import re
import threading
import time


class LogCapture(logging.Handler):
    def __init__(self, logger_name="radar_client"):
        super().__init__(logging.DEBUG)
        self.records = []
        self._changed = threading.Condition()
        self.logger = logging.getLogger(logger_name)

    def __enter__(self):
        self.logger.addHandler(self)
        self._old_level = self.logger.level
        self.logger.setLevel(logging.DEBUG)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self._old_level)

    def emit(self, record):
        with self._changed:
            self.records.append(record)
            self._changed.notify_all()

    def messages(self, level=logging.DEBUG):
        return [r.getMessage() for r in self.records if r.levelno >= level]

    def wait_for(self, pattern, timeout_s=120):
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while not any(regex.search(m) for m in self.messages()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no log /%s/ in %.0f s: %s" % (pattern, timeout_s, self.messages()))
                self._changed.wait(left)
