"""The shared vectors, both ways: encoding each event gives exactly the vector's bytes (header, fingerprint,
body) and decoding the bytes gives the event; the client's shipped schema copies equal the repository's."""
import json
import unittest

from radar_client import events
from radar_client.avro import canonical_form, crc64_avro

from . import vectors


class WireFormatVectorsTest(unittest.TestCase):

    def test_every_vector_encodes_to_its_bytes_and_decodes_to_its_event(self):
        found = vectors.load()
        self.assertGreaterEqual(len(found), 9)
        schemas = vectors.schema_set()
        for name, v in found:
            with self.subTest(vector=name):
                self.assertEqual(v["bytes"], vectors.encode_vector(v).hex())
                current = vectors.schema_json(v["schema"] + ".avsc")
                expected = vectors.from_avro_json(v.get("decoded", v["event"]), current, schemas)
                self.assertEqual(expected, vectors.codec(v["schema"]).decode(bytes.fromhex(v["bytes"])))

    def test_client_encodes_checkpoint_vectors_and_keys_them_like_java(self):
        for name, v in vectors.load():
            if v["schema"] != "CheckpointSaved" or "writerSchema" in v:
                continue
            with self.subTest(vector=name):
                e = vectors.from_avro_json(v["event"], events.CHECKPOINT_SAVED_SCHEMA, vectors.schema_set())
                event = events.checkpoint_saved(e["runId"], e["step"], e["checkpointUri"], e["tokensSeen"],
                                                e["attributes"], e["benchmark"], e["modelFormat"], e["reevaluate"],
                                                e["publishedAtMs"])
                self.assertEqual(v["bytes"], events.CHECKPOINT_SAVED.encode(event).hex())
                self.assertEqual(v["key"], events.checkpoint_key(event["runId"], event["step"]))
                self.assertEqual(v["topic"], events.TOPIC)
                self.assertEqual(v["partition"], vectors.murmur2_partition(v["key"].encode(), v["partitions"]))

    def test_client_decodes_records_of_the_old_schema_with_defaults(self):
        v = dict(vectors.load())["CheckpointSaved-v1.json"]
        decoded = events.CHECKPOINT_SAVED.decode(bytes.fromhex(v["bytes"]))
        self.assertEqual({"runId": "old-run", "step": 500, "checkpointUri": "/ckpt/old-run/step-500",
                          "modelFormat": "radar-torchscript", "benchmark": "m3-bench", "tokensSeen": None,
                          "reevaluate": False, "attributes": {}, "publishedAtMs": 0}, decoded)

    def test_shipped_schemas_equal_the_repository_schemas(self):
        self.assertEqual(vectors.schema_json("CheckpointSaved.avsc"), events.CHECKPOINT_SAVED_SCHEMA)
        v1 = json.loads((vectors.REPO / "clients/python/src/radar_client/schemas/CheckpointSaved-v1.avsc")
                        .read_text(encoding="utf-8"))
        self.assertEqual(vectors.schema_json("history/CheckpointSaved-v1.avsc"), v1)

    def test_fingerprint_of_the_specification_example(self):
        # CRC-64-AVRO of the canonical form of "int" (Avro specification / Java SchemaNormalization).
        self.assertEqual('"int"', canonical_form({"type": "int"}))
        self.assertEqual(0x7275D51A3F395C8F, crc64_avro(b'"int"'))

    def test_corrupt_bytes_are_a_clear_error(self):
        good = bytes.fromhex(dict(vectors.load())["CheckpointSaved-full.json"]["bytes"])
        with self.assertRaisesRegex(ValueError, "not Avro single-object encoding"):
            events.CHECKPOINT_SAVED.decode(b"{json}" + good)
        with self.assertRaisesRegex(ValueError, "unknown schema fingerprint"):
            events.CHECKPOINT_SAVED.decode(good[:2] + bytes(8) + good[10:])
        with self.assertRaisesRegex(ValueError, "trailing bytes"):
            events.CHECKPOINT_SAVED.decode(good + b"\x00")


if __name__ == "__main__":
    unittest.main()
