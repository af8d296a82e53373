"""Reads a topic from the beginning with a throwaway consumer, to see what really is on the broker."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer


async def read_topic(
    bootstrap_servers: str, topic: str, *, expected: int, timeout_s: float = 30.0
) -> list[Any]:
    """Return the topic's records once at least ``expected`` arrived (or all of them at the timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        group_id=f"reader-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(records) < expected and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode("utf-8", errors="replace") for name, value in record.headers}
