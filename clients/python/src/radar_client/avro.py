"""Avro single-object encoding, byte-identical to the Java side (``dev.radar.events.AvroSerde``).

A record on a RADAR topic is ``C3 01`` + the writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian) of its
Parsing Canonical Form + the Avro binary body. The canonical form and fingerprint are written here from the Avro
specification rather than taken from fastavro, whose canonical form names a type defined in another schema file
(``AbilityReport`` -> ``AbilityScore``) instead of inlining it as Java does; fastavro only writes and reads bodies.
"""
from __future__ import annotations

import io
import json
import struct
from typing import Any, Dict, Iterable, List, Mapping, Optional

import fastavro

MAGIC = b"\xc3\x01"
HEADER_LENGTH = 10

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
# Attributes kept by the canonical form, in the order the specification fixes.
_CANONICAL_KEYS = ("name", "type", "fields", "symbols", "items", "values", "size")

_EMPTY64 = 0xC15D213AA4D7A795


def _crc64_table() -> List[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY64 & -(fp & 1))
        table.append(fp)
    return table


_TABLE = _crc64_table()


def crc64_avro(data: bytes) -> int:
    """Avro's 64-bit Rabin fingerprint (``SchemaNormalization.fingerprint64`` in Java)."""
    fp = _EMPTY64
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def _full_name(name: str, namespace: Optional[str]) -> str:
    return name if "." in name or not namespace else namespace + "." + name


def canonical_form(schema: Any, named: Optional[Mapping[str, Any]] = None) -> str:
    """Parsing Canonical Form of ``schema`` (parsed JSON); ``named`` maps full names of types defined in other
    schema files to their JSON, inlined at their first use as the Java parser does."""
    named = dict(named or {})
    seen: set = set()

    def canon(s: Any, namespace: Optional[str]) -> str:
        if isinstance(s, str):
            if s in _PRIMITIVES:
                return json.dumps(s)
            full = _full_name(s, namespace)
            if full in seen:
                return json.dumps(full)
            if full not in named:
                raise ValueError("unknown Avro type " + full)
            return canon(named[full], namespace)
        if isinstance(s, list):
            return "[" + ",".join(canon(b, namespace) for b in s) + "]"
        kind = s["type"]
        if kind in _PRIMITIVES:
            return json.dumps(kind)
        parts = []
        if kind in ("record", "enum", "fixed", "error"):
            ns = s.get("namespace", namespace)
            full = _full_name(s["name"], ns)
            if full in seen:
                return json.dumps(full)
            seen.add(full)
            inner_ns = full.rsplit(".", 1)[0] if "." in full else None
            parts.append('"name":' + json.dumps(full))
        else:
            inner_ns = namespace
        for key in _CANONICAL_KEYS[1:]:
            if key not in s:
                continue
            value = s[key]
            if key == "type":
                text = json.dumps("record" if value == "error" else value)
            elif key == "fields":
                text = "[" + ",".join('{"name":' + json.dumps(f["name"]) + ',"type":' + canon(f["type"], inner_ns)
                                      + "}" for f in value) + "]"
            elif key == "symbols":
                text = "[" + ",".join(json.dumps(x) for x in value) + "]"
            elif key in ("items", "values"):
                text = canon(value, inner_ns)
            else:
                text = str(int(value))
            parts.append(json.dumps(key) + ":" + text)
        return "{" + ",".join(parts) + "}"

    return canon(schema, None)


def fingerprint(schema: Any, named: Optional[Mapping[str, Any]] = None) -> int:
    return crc64_avro(canonical_form(schema, named).encode("utf-8"))


class SchemaSet:
    """Schema JSON by full name, so that a schema may use a type another file defines (as the Java build imports
    ``AbilityScore`` and ``TaskExpectation`` before the schemas that use them)."""

    def __init__(self, schemas: Iterable[Any] = ()):
        self.by_name: Dict[str, Any] = {}
        for s in schemas:
            self.add(s)

    def add(self, schema: Any) -> None:
        self.by_name[_full_name(schema["name"], schema.get("namespace"))] = schema

    def parsed(self, schema: Any) -> Any:
        """The fastavro form of ``schema``, with every type it names from this set."""
        named: Dict[str, Any] = {}
        for full in self._dependencies(schema):
            fastavro.parse_schema(self.by_name[full], named_schemas=named)
        return fastavro.parse_schema(schema, named_schemas=named)

    def _dependencies(self, schema: Any) -> List[str]:
        text = json.dumps(schema)
        return [full for full, s in self.by_name.items() if s is not schema and json.dumps(full) in text]


class SingleObjectCodec:
    """Encodes records with one writer schema; decodes records written with it or with any older schema given,
    resolving them to the current one (new fields take their defaults), as the Java decoder does."""

    def __init__(self, schema: Any, older: Iterable[Any] = (), schema_set: Optional[SchemaSet] = None):
        self.schema_set = schema_set or SchemaSet()
        self.schema = schema
        self._parsed = self.schema_set.parsed(schema)
        self.fingerprint = fingerprint(schema, self.schema_set.by_name)
        self.header = MAGIC + struct.pack("<Q", self.fingerprint)
        self._writers = {self.fingerprint: self._parsed}
        for old in older:
            self._writers[fingerprint(old, self.schema_set.by_name)] = self.schema_set.parsed(old)

    def encode(self, record: Mapping[str, Any], writer_schema: Any = None) -> bytes:
        """Single-object bytes of ``record``; ``writer_schema`` (an older version) only to make test records."""
        if writer_schema is None:
            parsed, header = self._parsed, self.header
        else:
            parsed = self.schema_set.parsed(writer_schema)
            header = MAGIC + struct.pack("<Q", fingerprint(writer_schema, self.schema_set.by_name))
        out = io.BytesIO()
        out.write(header)
        fastavro.schemaless_writer(out, parsed, dict(record))
        return out.getvalue()

    def decode(self, data: bytes) -> Dict[str, Any]:
        if len(data) < HEADER_LENGTH or data[:2] != MAGIC:
            raise ValueError("not Avro single-object encoding (%d bytes, header %s)" % (len(data), data[:2].hex()))
        (fp,) = struct.unpack("<Q", data[2:HEADER_LENGTH])
        writer = self._writers.get(fp)
        if writer is None:
            raise ValueError("unknown schema fingerprint %016x for %s" % (fp, self.schema["name"]))
        body = io.BytesIO(data[HEADER_LENGTH:])
        record = fastavro.schemaless_reader(body, writer, self._parsed)
        if body.tell() != len(data) - HEADER_LENGTH:
            raise ValueError("%d trailing bytes after the %s record" % (len(data) - HEADER_LENGTH - body.tell(),
                                                                      self.schema["name"]))
        return record
