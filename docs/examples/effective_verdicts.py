#!/usr/bin/env python3
"""Follow Sieve's effective verdict per sample id: its Verdict, overridden by a Retraction.

Every sample gets exactly one Verdict, on credible or on quarantine. When a newer Victim version
calls suspect a sample that an older one released, the filter also writes a Retraction (same key,
the sample id) to the retractions topic. The effective verdict of an id is therefore QUARANTINE if
a Retraction exists for it, else its Verdict's decision. The Retraction may be read before or
after the Verdict (they are different topics), so keep both and combine them.

Reads with isolation.level=read_committed, as the filter writes with exactly-once transactions.
Needs: apt-get install python3-avro python3-confluent-kafka   (or pip install avro confluent-kafka)
Usage: effective_verdicts.py BOOTSTRAP SCHEMA_DIR [PREFIX]
   e.g. effective_verdicts.py localhost:9092 schemas/src/main/avro sieve.
"""
import io
import json
import sys

import avro.io
import avro.schema
from confluent_kafka import Consumer

from publish_sample import crc64_avro, parsing_canonical_form


def load(schema_dir: str, name: str) -> dict:
    with open(f"{schema_dir}/{name}.avsc") as f:
        return json.load(f)


def single_object_reader(schema_json: dict):
    """A function from single-object bytes to a dict; refuses another writer schema's bytes."""
    schema = avro.schema.parse(json.dumps(schema_json))
    fingerprint = crc64_avro(parsing_canonical_form(schema_json).encode("utf-8")).to_bytes(8, "little")
    reader = avro.io.DatumReader(schema)

    def decode(value: bytes) -> dict:
        if value is None or len(value) < 10 or value[:2] != b"\xc3\x01":
            raise ValueError("not Avro single-object encoding (expected C3 01)")
        if value[2:10] != fingerprint:
            raise ValueError(f"written with schema fingerprint {value[2:10].hex()}, not {schema_json['name']}'s")
        return reader.read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))

    return decode


def main() -> None:
    bootstrap, schema_dir = sys.argv[1], sys.argv[2]
    prefix = sys.argv[3] if len(sys.argv) > 3 else "sieve."
    # Verdict names LabeledSample; the canonical form (and so the fingerprint) has it inlined.
    verdict_schema = load(schema_dir, "Verdict")
    verdict_schema["fields"][0]["type"] = load(schema_dir, "LabeledSample")
    read_verdict = single_object_reader(verdict_schema)
    read_retraction = single_object_reader(load(schema_dir, "Retraction"))

    credible, quarantine, retractions = prefix + "credible", prefix + "quarantine", prefix + "retractions"
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "effective-verdicts-example",
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                         "enable.auto.commit": False})
    consumer.subscribe([credible, quarantine, retractions])
    decision = {}      # sample id -> CREDIBLE | QUARANTINE, from its Verdict
    retracted = {}     # sample id -> the Retraction
    try:
        while True:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                print(f"error: {msg.error()}", file=sys.stderr)
                continue
            try:
                if msg.topic() == retractions:
                    r = read_retraction(msg.value())
                    retracted[r["sampleId"]] = r
                    sample_id = r["sampleId"]
                else:
                    v = read_verdict(msg.value())
                    sample_id = v["sample"]["id"]
                    decision[sample_id] = v["decision"]
            except (ValueError, EOFError, AssertionError) as e:
                # Anyone with Write on a topic can put bytes there: skip what does not decode.
                print(f"skipping {msg.topic()}-{msg.partition()}@{msg.offset()}: {e}", file=sys.stderr)
                continue
            effective = "QUARANTINE" if sample_id in retracted else decision.get(sample_id, "PENDING")
            why = retracted[sample_id]["reason"] if sample_id in retracted else ""
            print(json.dumps({"id": sample_id, "effective": effective, "why": why}))
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
