"""An example consumer of edu-clusters' event streams, for other provincial systems (see README.md here).

It keeps a directory of the province's professional clusters from the compacted ``registry.clusters``
topic and prints each change, doing what every consumer of these streams should do:

- a stable consumer group, starting from the earliest offset (a new group reads the whole history);
- CloudEvents attributes read from the Kafka headers (``ce_type``, ``ce_id``, ...), the body plain JSON;
- each body checked against the committed JSON Schema of its type (``contract/events/``);
- types it does not know are skipped, not fatal (new types appear over time);
- a null value on a compacted topic (a tombstone) means the entity is gone;
- an event id seen before is skipped (delivery is at least once);
- the offset committed only after the event was handled.

Run it against the local run command's broker (``make run``):

    pip install aiokafka jsonschema
    python docs/consumers/example_consumer.py --bootstrap 127.0.0.1:9092 --group my-system.clusters

The tests run this file's ``consume`` against the real broker (tests/integration/test_contract_*.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from aiokafka import AIOKafkaConsumer, TopicPartition

CONTRACT_DIR = Path(__file__).resolve().parents[2] / "contract" / "events"
log = logging.getLogger("example_consumer")


@dataclass(frozen=True)
class Event:
    type: str
    id: str
    subject: str | None
    key: str | None
    body: dict[str, Any] | None
    """``None`` for a tombstone: the entity with this key is gone."""
    traceparent: str | None


class Contract:
    """The committed JSON Schemas, by CloudEvents type."""

    def __init__(self, directory: Path = CONTRACT_DIR) -> None:
        self.validators = {}
        for path in sorted(directory.glob("*.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            self.validators[schema["x-cloudevents-type"]] = jsonschema.Draft202012Validator(schema)

    def problems(self, event_type: str, body: Any) -> list[str]:
        validator = self.validators[event_type]
        return [
            f"{'/'.join(map(str, error.path)) or '(body)'}: {error.message}"
            for error in validator.iter_errors(body)
        ]


@dataclass
class Outcome:
    handled: int = 0
    skipped: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)
    """(position, why) of messages that do not match the contract; a real system would park them."""


async def consume(
    bootstrap_servers: str,
    topics: list[str],
    group_id: str,
    handle: Callable[[Event], Awaitable[None]],
    *,
    contract: Contract | None = None,
    stop_after: int | None = None,
    idle_timeout_s: float | None = None,
) -> Outcome:
    """Consume until ``stop_after`` events were handled or nothing arrived for ``idle_timeout_s``."""
    contract = contract or Contract()
    seen_ids: set[str] = set()  # a real system keeps these in its database, with what the handler wrote
    outcome = Outcome()
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while stop_after is None or outcome.handled < stop_after:
            try:
                record = await asyncio.wait_for(consumer.getone(), idle_timeout_s)
            except TimeoutError:
                break
            await _process(record, contract, handle, seen_ids, outcome)
            # Only now may the group's offset move past this record.
            await consumer.commit({TopicPartition(record.topic, record.partition): record.offset + 1})
    finally:
        await consumer.stop()
    return outcome


async def _process(
    record: Any,
    contract: Contract,
    handle: Callable[[Event], Awaitable[None]],
    seen_ids: set[str],
    outcome: Outcome,
) -> None:
    headers = {name: value.decode("utf-8") for name, value in record.headers}
    position = f"{record.topic}/{record.partition}/{record.offset}"
    event_type, event_id = headers.get("ce_type"), headers.get("ce_id")
    if not event_type or not event_id or event_type not in contract.validators or event_id in seen_ids:
        outcome.skipped += 1  # not a CloudEvent, a type this consumer does not know, or a redelivery
        return
    body = None
    if record.value is not None:
        try:
            body = json.loads(record.value)
        except ValueError as exc:
            outcome.invalid.append((position, f"not JSON: {exc}"))
            return
        problems = contract.problems(event_type, body)
        if problems:
            outcome.invalid.append((position, "; ".join(problems)))
            return
    key = record.key.decode("utf-8") if record.key is not None else None
    await handle(
        Event(event_type, event_id, headers.get("ce_subject"), key, body, headers.get("traceparent"))
    )
    seen_ids.add(event_id)
    outcome.handled += 1


class ClusterDirectory:
    """The example's own state: the clusters as the registry last described them."""

    def __init__(self) -> None:
        self.clusters: dict[str, dict[str, Any]] = {}

    async def apply(self, event: Event) -> None:
        if event.key is None:
            return
        if event.body is None:
            self.clusters.pop(event.key, None)
            print(f"cluster {event.key} is gone")
        else:
            self.clusters[event.key] = event.body
            print(f"cluster {event.key}: {event.body['name']} (version {event.body['version']})")


def main() -> None:
    parser = argparse.ArgumentParser(description="Keep a directory of clusters from registry.clusters")
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic-prefix", default="", help="KAFKA_TOPIC_PREFIX of the deployment, if any")
    parser.add_argument("--group", default="example.cluster-directory", help="a stable, unique group id")
    args = parser.parse_args()
    directory = ClusterDirectory()
    asyncio.run(
        consume(args.bootstrap, [f"{args.topic_prefix}registry.clusters"], args.group, directory.apply)
    )


if __name__ == "__main__":
    main()
