"""Publisher behaviour that needs no RADAR process: the retry bound against an address where nothing listens,
configuration mistakes reported without raising into the training loop, and the rank rule."""
import logging
import os
import unittest
from unittest import mock

import radar_client
from radar_client import Publisher, global_rank

from . import radar_process
from .log_capture import LogCapture


class PublisherTest(unittest.TestCase):

    def test_retries_are_bounded_and_the_give_up_is_logged(self):
        url = "http://127.0.0.1:%d" % radar_process.free_port()  # nothing listens there
        publisher = Publisher("bounded", url=url, backoff_s=0.05, max_backoff_s=0.1, give_up_after_s=0.5)
        with LogCapture() as logs:
            self.assertTrue(publisher.publish_checkpoint(5, "/ckpt/bounded/checkpoint-5"))
            self.assertTrue(publisher.flush(60))
        self.assertEqual((0, 1), (publisher.published, publisher.failed))
        retries = [m for m in logs.messages(logging.WARNING) if "not published yet" in m]
        [gave_up] = logs.messages(logging.ERROR)
        self.assertGreaterEqual(len(retries), 2)
        self.assertRegex(gave_up, r"^RADAR: run bounded step 5 not published after %d attempts over .* s: "
                         % (len(retries) + 1))
        publisher.close()

    def test_close_reports_each_event_it_could_not_send(self):
        url = "http://127.0.0.1:%d" % radar_process.free_port()
        publisher = Publisher("closing", url=url, backoff_s=30)
        with LogCapture() as logs:
            publisher.publish_checkpoint(1, "/ckpt/closing/checkpoint-1")
            logs.wait_for("step 1 not published yet")
            publisher.publish_checkpoint(2, "/ckpt/closing/checkpoint-2")
            self.assertFalse(publisher.close(0))
            self.assertFalse(publisher.publish_checkpoint(3, "/ckpt/closing/checkpoint-3"))
        self.assertEqual(["RADAR: run closing step 1 not published: closed while retrying",
                          "RADAR: run closing step 2 not published: closed before RADAR answered",
                          "RADAR: step 3 not published: the publisher is closed"],
                         sorted(logs.messages(logging.ERROR)))

    def test_unconfigured_module_level_publish_is_logged_not_raised(self):
        radar_client.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
        with mock.patch.dict(os.environ, env, clear=True), LogCapture() as logs:
            self.assertFalse(radar_client.publish_checkpoint("r", 1, "/ckpt/r/checkpoint-1"))
        self.assertEqual(["RADAR: step 1 not published: give bootstrap_servers= (Kafka) or url= (HTTP), exactly one "
                          "(or set RADAR_BOOTSTRAP_SERVERS or RADAR_URL)"], logs.messages(logging.ERROR))

    def test_module_level_publish_uses_the_configured_publisher(self):
        url = "http://127.0.0.1:%d" % radar_process.free_port()
        publisher = radar_client.configure("default-run", url=url, give_up_after_s=0)
        try:
            self.assertTrue(radar_client.publish_checkpoint("other-run", 9, "/ckpt/x/checkpoint-9"))
            self.assertTrue(radar_client.flush(60))
            self.assertEqual(1, publisher.failed)
        finally:
            radar_client.close()

    def test_trainer_integers_are_steps_and_other_numbers_are_not(self):
        import numpy
        import torch

        from radar_client import checkpoint_saved

        event = checkpoint_saved("r", numpy.int64(12), "/ckpt/r/checkpoint-12", torch.tensor(4096))
        self.assertEqual((12, 4096), (event["step"], event["tokensSeen"]))
        self.assertIs(int, type(event["step"]))
        for bad in (1.5, True, "3", -2):
            with self.assertRaisesRegex(ValueError, "step must be an integer >= 0, was"):
                checkpoint_saved("r", bad, "/ckpt/r")

    def test_global_rank_comes_from_the_launcher_environment(self):
        with mock.patch.dict(os.environ, {"RANK": "3"}):
            self.assertEqual(3, global_rank())
            self.assertFalse(Publisher("r", url="http://127.0.0.1:1").active)
            self.assertTrue(Publisher("r", url="http://127.0.0.1:1", rank_zero_only=False).active)
        with mock.patch.dict(os.environ, {"RANK": ""}):
            self.assertEqual(0, global_rank())


if __name__ == "__main__":
    unittest.main()
