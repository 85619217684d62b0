"""Publishing over HTTP and reading results, against the real RADAR pipeline (``./radar demo``: broker, planner,
scorer, aggregator, web API) with a bearer token set."""
import logging
import os
import time
import unittest

from radar_client import Publisher, UnknownRun, curves, reports

from . import radar_process
from .log_capture import LogCapture

TOKEN = "client-test-token"
DEMO_CHECKPOINT = radar_process.REPO / "models" / "tiny-mllm" / "checkpoints" / "step-000000"
PUBLISHED_STEP = 1000


class HttpAndReaderTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.run_id = radar_process.unique_run("http")
        cls.demo = radar_process.RadarProcess(
            ["demo", "--checkpoints", "2", "--samples", "2", "--interval", "0", "--port", "0", "--run", cls.run_id],
            env={"RADAR_WEB_TOKEN": TOKEN})
        cls.url = cls.demo.wait_for(r"web page: (http://\S+)").group(1)

    @classmethod
    def tearDownClass(cls):
        cls.demo.stop()

    def wait_for_complete_reports(self, steps, timeout_s=300):
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                got = reports(self.run_id, self.url, as_frame=False)
            except UnknownRun as e:  # nothing planned for the run yet
                got = [str(e)]
            else:
                if {r["step"] for r in got if r["complete"]} >= steps:
                    return got
            if time.monotonic() > deadline:
                self.fail("reports of %s not complete for %s in %.0f s: %s" % (self.run_id, steps, timeout_s, got))
            time.sleep(1)

    def test_http_publish_is_evaluated_and_reader_returns_reports_and_curves(self):
        publisher = Publisher(self.run_id, url=self.url, token=TOKEN)
        self.assertTrue(publisher.publish_checkpoint(PUBLISHED_STEP, str(DEMO_CHECKPOINT), 123456, {"via": "http"}))
        self.assertTrue(publisher.close(120))
        self.assertEqual((1, 0), (publisher.published, publisher.failed))

        # The demo publishes its steps 0 and 37; step 1000 is the event sent above, of the same folder as step 0.
        got = self.wait_for_complete_reports({0, 37, PUBLISHED_STEP})
        by_step = {r["step"]: r for r in got}
        self.assertEqual(123456, by_step[PUBLISHED_STEP]["tokensSeen"])
        same_folder = [{a["name"]: a["sds"] for a in by_step[s]["abilities"]} for s in (0, PUBLISHED_STEP)]
        self.assertEqual(same_folder[0], same_folder[1])
        self.assertIn("perception", same_folder[0])

        frame = reports(self.run_id, self.url, as_frame=True)
        for r in got:
            rows = frame[frame["step"] == r["step"]]
            self.assertEqual(len(r["abilities"]) + len(r["tasks"]), len(rows))
            for a in r["abilities"] + r["tasks"]:
                row = rows[(rows["name"] == a["name"]) & (rows["level"] == a["level"])]
                self.assertEqual([a["sds"]], list(row["sds"]))
                self.assertEqual([r["complete"]], list(row["complete"]))

        lines = curves(self.run_id, self.url, as_frame=False)
        self.assertEqual([0, 37, PUBLISHED_STEP], [p["step"] for p in lines["perception"]])
        perception = {p["step"]: p["sds"] for p in lines["perception"]}
        self.assertEqual(same_folder[1]["perception"], perception[PUBLISHED_STEP])
        curve_frame = curves(self.run_id, self.url, as_frame=True)
        self.assertEqual(sum(len(points) for points in lines.values()), len(curve_frame))
        self.assertEqual(perception, dict(zip(curve_frame[curve_frame["ability"] == "perception"]["step"],
                                              curve_frame[curve_frame["ability"] == "perception"]["sds"])))

    def test_an_unknown_run_is_a_clear_error(self):
        with self.assertRaises(UnknownRun) as raised:
            reports(self.run_id + "-never-published", self.url, as_frame=False)
        self.assertEqual("unknown run '%s-never-published'" % self.run_id, str(raised.exception))

    def test_rejected_event_is_logged_and_not_retried(self):
        publisher = Publisher(self.run_id, url=self.url, token="wrong-token", backoff_s=0.1)
        with LogCapture() as logs:
            self.assertTrue(publisher.publish_checkpoint(7, str(DEMO_CHECKPOINT)))
            self.assertTrue(publisher.close(120))
        self.assertEqual((0, 1), (publisher.published, publisher.failed))
        self.assertEqual(["RADAR: run %s step 7 rejected, not retried: HTTP 401 from %sapi/checkpoints: missing or "
                          "wrong bearer token (web.token is set)" % (self.run_id, self.url)], logs.messages(logging.WARNING))


if __name__ == "__main__":
    unittest.main()
