#!/usr/bin/env python3
"""Publish one labeled sample to Sieve from Python.

Sieve's records use Avro *single-object encoding*: the two bytes C3 01, the 8-byte little-endian
CRC-64-AVRO fingerprint of the writer schema's canonical form, then the plain Avro binary body.
No schema registry is involved.

Needs: apt-get install python3-avro python3-confluent-kafka   (or pip install avro confluent-kafka)
       and, to send an image file, python3-pil (pip install pillow)
Usage: publish_sample.py BOOTSTRAP SCHEMA_DIR [TOPIC] [--image FILE --label N [--channels 1|3]]
   e.g. publish_sample.py localhost:9092 schemas/src/main/avro sieve.samples
        publish_sample.py localhost:9092 schemas/src/main/avro sieve.samples --image cat.png --label 3 --channels 3
"""
import argparse
import io
import json
import time
from datetime import datetime, timezone

import avro.io
import avro.schema
from confluent_kafka import Producer

CRC64_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (CRC64_EMPTY & -(fp & 1))
    _TABLE.append(fp)


def crc64_avro(data: bytes) -> int:
    """The Rabin fingerprint the Avro specification calls CRC-64-AVRO."""
    fp = CRC64_EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
FIELD_ORDER = ["name", "type", "fields", "symbols", "items", "values", "size"]


def parsing_canonical_form(node, namespace=None) -> str:
    """The Avro specification's Parsing Canonical Form, written out here because python3-avro
    1.11's Schema.canonical_form keeps {"type":"long"} for logical types, which Java (and the
    specification) reduce to "long"; the fingerprints would then differ."""
    if isinstance(node, str):
        if node in PRIMITIVES:
            return json.dumps(node)
        return json.dumps(node if "." in node or not namespace else f"{namespace}.{node}")
    if isinstance(node, list):
        return "[" + ",".join(parsing_canonical_form(n, namespace) for n in node) + "]"
    kind = node["type"]
    if kind in PRIMITIVES:
        return json.dumps(kind)
    if kind in ("record", "enum", "fixed"):
        name = node["name"]
        namespace = node.get("namespace", namespace)
        if "." not in name and namespace:
            name = f"{namespace}.{name}"
        namespace = name.rsplit(".", 1)[0] if "." in name else namespace
        node = dict(node, name=name)
    parts = []
    for key in FIELD_ORDER:
        if key not in node:
            continue
        value = node[key]
        if key == "fields":
            text = "[" + ",".join(
                '{"name":' + json.dumps(f["name"]) + ',"type":' + parsing_canonical_form(f["type"], namespace) + "}"
                for f in value) + "]"
        elif key in ("type", "items", "values"):
            text = parsing_canonical_form(value, namespace) if key != "type" else json.dumps(value)
        elif key == "symbols":
            text = "[" + ",".join(json.dumps(v) for v in value) + "]"
        else:
            text = json.dumps(value)
        parts.append(json.dumps(key) + ":" + text)
    return "{" + ",".join(parts) + "}"


def single_object(schema_json: dict, datum: dict) -> bytes:
    schema = avro.schema.parse(json.dumps(schema_json))
    body = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(body))
    canonical = parsing_canonical_form(schema_json).encode("utf-8")
    return b"\xc3\x01" + crc64_avro(canonical).to_bytes(8, "little") + body.getvalue()


def image_pixels(path: str, channels: int):
    """A PNG or JPEG file as Sieve's UINT8 pixels: row-major, channels last (HWC), grey or RGB.
    The filter dead-letters a size other than its data set's: resize here if you need to."""
    from PIL import Image  # only needed for --image
    with Image.open(path) as img:
        img = img.convert("RGB" if channels == 3 else "L")
        return img.tobytes(), img.height, img.width


def main() -> None:
    args = argparse.ArgumentParser(description="Publish one labeled sample to Sieve.")
    args.add_argument("bootstrap")
    args.add_argument("schema_dir")
    args.add_argument("topic", nargs="?", default="sieve.samples")
    args.add_argument("--image", help="a PNG or JPEG file to send instead of a black 28x28 image")
    args.add_argument("--label", type=int, default=3, help="its claimed class")
    args.add_argument("--channels", type=int, choices=(1, 3), default=1, help="1 grey, 3 RGB (the data set's)")
    a = args.parse_args()
    with open(f"{a.schema_dir}/LabeledSample.avsc") as f:
        schema = json.load(f)

    sample_id = f"python-{int(time.time() * 1000)}"
    if a.image:
        pixels, height, width = image_pixels(a.image, a.channels)
    else:
        pixels, height, width = bytes(28 * 28), 28, 28  # a black 28x28 grey image
    sample = {
        "id": sample_id,
        "source": "python-example",
        "label": a.label,
        "height": height,
        "width": width,
        "channels": a.channels if a.image else 1,
        "encoding": "UINT8",
        "pixels": pixels,
        "eventTime": datetime.now(timezone.utc),  # timestamp-millis; the library converts
        "metadata": {"origin": "docs/examples/publish_sample.py"},
    }
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    # The key is the sample id: Sieve dead-letters records without a key.
    producer.produce(a.topic, key=sample_id.encode("utf-8"), value=single_object(schema, sample))
    producer.flush(10)
    print(json.dumps({"published": sample_id, "topic": a.topic, "shape": f"{height}x{width}x{sample['channels']}"}))


if __name__ == "__main__":
    main()
