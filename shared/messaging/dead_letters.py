"""Parks a message a consumer cannot process in the service's dead-letter topic, with why and whence.

The original key, value and headers are kept so that an operator can replay the message once the cause
is fixed. Parking must succeed before the consumer commits past the message, so a failure to publish here
is retried until it works: the partition waits rather than loses a message.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Counter

from shared.events.envelope import format_time

log = logging.getLogger(__name__)

REASON_HEADER = "dlq_reason"
MAX_REASON_LENGTH = 2000


class DeadLetters:
    def __init__(self, broker: KafkaBroker, topic: str, registry: CollectorRegistry | None = None) -> None:
        self._broker = broker
        self.topic = topic
        self._parked = (
            Counter(
                "dead_letters_total",
                "Messages parked in the dead-letter topic",
                ["consumer_group", "original_topic"],
                registry=registry,
            )
            if registry is not None
            else None
        )

    async def park(self, record: Any, *, reason: str, consumer_group: str) -> None:
        """Publish ``record`` (an aiokafka ConsumerRecord) to the dead-letter topic and wait for Kafka."""
        headers = {name: value.decode("utf-8", errors="replace") for name, value in record.headers}
        headers.update(
            {
                REASON_HEADER: reason[:MAX_REASON_LENGTH],
                "dlq_original_topic": record.topic,
                "dlq_original_partition": str(record.partition),
                "dlq_original_offset": str(record.offset),
                "dlq_original_timestamp": str(record.timestamp),
                "dlq_consumer_group": consumer_group,
                "dlq_failed_at": format_time(datetime.now(UTC)),
            }
        )
        log.warning(
            "dead-lettering message",
            extra={
                "reason": reason,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            },
        )
        attempt = 0
        while True:
            try:
                await self._broker.publish(record.value, self.topic, key=record.key, headers=headers)
                break
            except Exception:
                attempt += 1
                log.exception(
                    "could not publish to the dead-letter topic; retrying", extra={"attempt": attempt}
                )
                await asyncio.sleep(min(0.2 * 2**attempt, 30.0))
        if self._parked is not None:
            self._parked.labels(consumer_group, record.topic).inc()
