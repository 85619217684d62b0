"""Publishing over Kafka to the project's real embedded broker (``./radar broker``), read back with
confluent-kafka and the client's decoder."""
import logging
import os
import tempfile
import threading
import unittest
from unittest import mock

from radar_client import Publisher, events

from . import radar_process, vectors
from .log_capture import LogCapture


class KafkaPublishTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.bootstrap = radar_process.shared_broker()

    def test_event_lands_with_the_java_key_partition_and_bytes(self):
        v = dict(vectors.load())["CheckpointSaved-full.json"]
        e = v["event"]
        publisher = Publisher(e["runId"] + "-" + radar_process.unique_run("x"), bootstrap_servers=self.bootstrap)
        # The vector's key ("run-42/12000") under a run id of this test's own would change the partition, so the
        # vector's own run id is published and this test's records are told apart by an attribute.
        publisher.run = e["runId"]
        marker = radar_process.unique_run("kafka")
        attrs = dict(e["attributes"], test=marker)
        self.assertTrue(publisher.publish_checkpoint(e["step"], e["checkpointUri"], e["tokensSeen"]["long"], attrs,
                                                     reevaluate=True))
        self.assertTrue(publisher.flush(120))
        publisher.close()
        self.assertEqual(1, publisher.published)

        mine = [r for r in radar_process.read_checkpoints(self.bootstrap, e["runId"])
                if r[3]["attributes"].get("test") == marker]
        self.assertEqual(1, len(mine))
        partition, key, value, event = mine[0]
        self.assertEqual(v["key"], key)
        self.assertEqual(v["partition"], partition)
        expected = dict(e, tokensSeen=e["tokensSeen"]["long"], attributes=attrs,
                        publishedAtMs=event["publishedAtMs"])
        self.assertEqual(expected, event)
        self.assertGreater(event["publishedAtMs"], 1_700_000_000_000)
        self.assertEqual(events.CHECKPOINT_SAVED.encode(expected), value)
        self.assertEqual(v["bytes"][:20], value[:10].hex(), "header: magic + fingerprint of the current schema")

    def test_relative_path_is_published_absolute(self):
        run = radar_process.unique_run("abs")
        publisher = Publisher(run, bootstrap_servers=self.bootstrap)
        with tempfile.TemporaryDirectory() as d:
            cwd = os.getcwd()
            os.chdir(d)
            try:
                publisher.publish_checkpoint(3, "checkpoint-3")
            finally:
                os.chdir(cwd)
            self.assertTrue(publisher.close(120))
            [(_, _, _, event)] = radar_process.read_checkpoints(self.bootstrap, run)
            self.assertEqual(os.path.join(os.path.realpath(d), "checkpoint-3"), os.path.realpath(
                event["checkpointUri"]))
            self.assertIsNone(event["tokensSeen"])

    def test_rank_other_than_zero_publishes_nothing(self):
        run = radar_process.unique_run("ranks")
        with mock.patch.dict(os.environ, {"RANK": "1"}):
            worker = Publisher(run, bootstrap_servers=self.bootstrap)
            self.assertFalse(worker.active)
            self.assertFalse(worker.publish_checkpoint(10, "/ckpt/%s/checkpoint-10" % run))
            worker.close()
        with mock.patch.dict(os.environ, {"RANK": "0"}):
            leader = Publisher(run, bootstrap_servers=self.bootstrap)
            self.assertTrue(leader.publish_checkpoint(20, "/ckpt/%s/checkpoint-20" % run))
            self.assertTrue(leader.close(120))
        self.assertEqual([20], [r[3]["step"] for r in radar_process.read_checkpoints(self.bootstrap, run)])

    def test_invalid_event_is_logged_not_raised(self):
        publisher = Publisher("r", bootstrap_servers=self.bootstrap)
        with LogCapture() as logs:
            self.assertFalse(publisher.publish_checkpoint(-1, "/ckpt/x"))
            self.assertFalse(publisher.publish_checkpoint(1, "s3://bucket/ckpt"))
        publisher.close()
        self.assertEqual(["RADAR: step -1 not published: step must be an integer >= 0, was -1",
                          "RADAR: step 1 not published: checkpoint path 's3://bucket/ckpt': unsupported scheme 's3' "
                          "(use a local path or file: URI)"], logs.messages(logging.ERROR))


class BrokerDownTest(unittest.TestCase):
    """RADAR down: publishing returns at once, the training loop goes on, a full queue drops (logged) instead of
    blocking, and the queued events arrive once the broker is up."""

    def test_events_wait_for_the_broker_and_overflow_is_logged(self):
        port = radar_process.free_port()
        bootstrap = "127.0.0.1:%d" % port
        run = radar_process.unique_run("down")
        publisher = Publisher(run, bootstrap_servers=bootstrap, queue_size=1, attempt_timeout_s=2, backoff_s=0.5,
                              max_backoff_s=2)
        broker = None
        with LogCapture() as logs:
            try:
                trained = []

                def training_loop():
                    for step in (1, 2, 3):
                        publisher.publish_checkpoint(step, "/ckpt/%s/checkpoint-%d" % (run, step), step * 1000)
                        if step == 1:  # step 1 is being sent (and failing) before 2 and 3 come
                            logs.wait_for(r"run %s step 1 not published yet \(attempt 1" % run)
                        trained.append(step)

                loop = threading.Thread(target=training_loop)
                loop.start()
                loop.join(120)  # a publish that blocked would leave the loop hanging here
                self.assertEqual([1, 2, 3], trained)
                self.assertEqual(0, publisher.published)
                self.assertEqual(1, publisher.dropped)
                self.assertIn("RADAR: queue full (1 events waiting, RADAR unreachable?): run %s step 3 dropped; "
                              "publish it later with `radar publish`" % run, logs.messages(logging.ERROR))

                broker = radar_process.start_broker(port)
                self.assertTrue(publisher.flush(180))
                self.assertEqual(2, publisher.published)
                publisher.close()
                got = radar_process.read_checkpoints(bootstrap, run)
                self.assertEqual([(1, 1000), (2, 2000)], sorted((r[3]["step"], r[3]["tokensSeen"]) for r in got))
            finally:
                publisher.close(0)
                if broker is not None:
                    broker.stop()


if __name__ == "__main__":
    unittest.main()
