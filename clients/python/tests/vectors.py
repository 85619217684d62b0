"""The shared wire-format test vectors (``schemas/test-vectors/*.json``) and the repository's schemas.

Run as a script to (re)compute each vector's ``bytes`` and ``partition`` from its event after a deliberate change
(``python clients/python/tests/vectors.py --write``); the Java ``WireFormatVectorsTest`` and this suite's
``test_wire_format`` then check every vector independently, both ways.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import fastavro

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "clients" / "python" / "src"))

from radar_client.avro import SchemaSet, SingleObjectCodec  # noqa: E402

SCHEMAS = REPO / "schemas"
VECTORS = SCHEMAS / "test-vectors"

# Default partition counts of dev.radar.kafka.Topics (the Java test checks they still are).
TOPIC_PARTITIONS = {"radar.checkpoints": 3, "radar.evaluations": 6, "radar.shard-tasks": 12,
                    "radar.sample-scores": 6, "radar.ability-reports": 6, "radar.alerts": 3,
                    "radar.dead-letters": 3}


def schema_json(relative: str):
    return json.loads((SCHEMAS / relative).read_text(encoding="utf-8"))


def schema_set() -> SchemaSet:
    return SchemaSet(schema_json(p.name) for p in sorted(SCHEMAS.glob("*.avsc")))


def codec(name: str) -> SingleObjectCodec:
    schemas = schema_set()
    older = [schema_json("history/" + p.name) for p in sorted((SCHEMAS / "history").glob(name + "-v*.avsc"))]
    return SingleObjectCodec(schema_json(name + ".avsc"), older=older, schema_set=schemas)


def from_avro_json(event, schema, schemas: SchemaSet):
    """A record from Avro's JSON encoding (unions as {"type": value}, bytes as ISO-8859-1 text)."""
    line = json.dumps(event, ensure_ascii=True)
    return next(fastavro.json_reader(io.StringIO(line), schemas.parsed(schema)))


def load():
    """(file name, vector dict) for every vector, in name order."""
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(VECTORS.glob("*.json"))]


def murmur2_partition(key: bytes, partitions: int) -> int:
    """Kafka's default partition of a keyed record: toPositive(murmur2(key)) % partitions (Utils.murmur2)."""
    m, mask = 0x5BD1E995, 0xFFFFFFFF
    length = len(key)
    h = (0x9747B28C ^ length) & mask
    for i in range(length // 4):
        k = int.from_bytes(key[4 * i:4 * i + 4], "little")
        k = (k * m) & mask
        k ^= k >> 24
        k = (k * m) & mask
        h = ((h * m) & mask) ^ k
    tail = length & ~3
    rest = length % 4
    if rest == 3:
        h ^= key[tail + 2] << 16
    if rest >= 2:
        h ^= key[tail + 1] << 8
    if rest >= 1:
        h ^= key[tail]
        h = (h * m) & mask
    h ^= h >> 13
    h = (h * m) & mask
    h ^= h >> 15
    return (h & 0x7FFFFFFF) % partitions


def encode_vector(vector) -> bytes:
    schemas = schema_set()
    c = codec(vector["schema"])
    writer = schema_json(vector.get("writerSchema", vector["schema"] + ".avsc"))
    record = from_avro_json(vector["event"], writer, schemas)
    return c.encode(record, writer_schema=writer if "writerSchema" in vector else None)


def main(argv) -> int:
    if argv[1:] != ["--write"]:
        print("usage: vectors.py --write   (recomputes bytes and partition of schemas/test-vectors/*.json)")
        return 2
    for name, vector in load():
        vector["bytes"] = encode_vector(vector).hex()
        if "key" in vector and vector["topic"] != "radar.dead-letters":
            vector["partitions"] = TOPIC_PARTITIONS[vector["topic"]]
            vector["partition"] = murmur2_partition(vector["key"].encode("utf-8"), vector["partitions"])
        (VECTORS / name).write_text(json.dumps(vector, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print("%s: %d bytes" % (name, len(vector["bytes"]) // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
