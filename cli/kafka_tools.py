"""Reading topics as an operator: tail a topic from a point in time, list and replay dead letters.

Plain aiokafka clients with no consumer group (partitions are assigned by hand), so looking never moves
any service's offsets. Connection settings are the services' own (``KAFKA_BOOTSTRAP_SERVERS``,
``KAFKA_TOPIC_PREFIX``, the SASL/TLS variables).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from shared.clock import VIETNAM
from shared.messaging.broker import aiokafka_client_options
from shared.messaging.dead_letters import REASON_HEADER
from shared.settings import ServiceSettings

_RELATIVE = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DLQ_HEADER_PREFIX = "dlq_"


class OperatorError(Exception):
    """A mistake the operator can fix (a wrong topic, a bad time); the CLI prints it without a trace."""


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """``15m``, ``2h``, ``1d`` ago, or an ISO 8601 time (Vietnam's time when it names no zone)."""
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(text.strip())
    if relative:
        return now - timedelta(**{_UNITS[relative[2]]: int(relative[1])})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise OperatorError(
            f"--since {text!r}: use 15m, 2h, 1d or an ISO time like 2026-03-01T08:00"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


@dataclass(frozen=True)
class Record:
    """One Kafka record as an operator sees it."""

    topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: str | None
    headers: dict[str, str]
    value: bytes | None

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"

    def body(self) -> Any:
        """The JSON body, the raw text if it is not JSON, or ``None`` for a tombstone."""
        if self.value is None:
            return None
        try:
            return json.loads(self.value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self.value.decode("utf-8", errors="replace")

    def as_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp": self.timestamp.isoformat(),
            "key": self.key,
            "headers": self.headers,
            "body": self.body(),
        }


def _record(raw: Any) -> Record:
    return Record(
        topic=raw.topic,
        partition=raw.partition,
        offset=raw.offset,
        timestamp=datetime.fromtimestamp(raw.timestamp / 1000, UTC),
        key=raw.key.decode("utf-8", errors="replace") if raw.key is not None else None,
        headers={name: value.decode("utf-8", errors="replace") for name, value in raw.headers},
        value=raw.value,
    )


class TopicReader:
    """Reads one topic's partitions from a point in time (or the start) to their current end."""

    def __init__(self, settings: ServiceSettings, topic: str) -> None:
        options = aiokafka_client_options(settings)
        options["client_id"] = "edu-clusters-cli"
        self._options = options
        self._consumer = AIOKafkaConsumer(
            enable_auto_commit=False, group_id=None, auto_offset_reset="earliest", **options
        )
        self.topic = topic

    async def __aenter__(self) -> TopicReader:
        await self._consumer.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._consumer.stop()

    async def seek(self, since: datetime | None) -> dict[TopicPartition, int]:
        """Position every partition at ``since`` (or the start); returns each partition's current end."""
        partitions = await self._partitions()
        assigned = [TopicPartition(self.topic, number) for number in sorted(partitions)]
        self._consumer.assign(assigned)
        for tp in assigned:  # let the initial reset (to the start) finish before any seek overrides it
            await self._consumer.position(tp)
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(assigned)
        if since is not None:
            found = await self._consumer.offsets_for_times(
                {tp: int(since.timestamp() * 1000) for tp in assigned}
            )
            for tp in assigned:
                self._consumer.seek(tp, found[tp].offset if found.get(tp) else ends[tp])
        return ends

    async def _partitions(self) -> list[int]:
        # A consumer only knows the partitions of topics it already tracks; the admin client asks the broker.
        admin = AIOKafkaAdminClient(**self._options)
        await admin.start()
        try:
            # Listing first: describing a missing topic would create it on a broker that auto-creates.
            if self.topic not in await admin.list_topics():
                raise OperatorError(f"topic {self.topic!r} does not exist on the broker")
            described = await admin.describe_topics([self.topic])
        finally:
            await admin.close()
        topic = described[0] if described else {}
        if topic.get("error_code", 0) != 0 or not topic.get("partitions"):
            raise OperatorError(f"topic {self.topic!r} does not exist on the broker")
        return [int(partition["partition"]) for partition in topic["partitions"]]

    async def read(self, *, follow: bool = False, idle_timeout_s: float = 1.0) -> Any:
        """Yield records in each partition's order; without ``follow``, stop at the ends seen at start."""
        ends = await self._ends()
        while True:
            batches = await self._consumer.getmany(timeout_ms=int(idle_timeout_s * 1000))
            for tp, raws in sorted(batches.items(), key=lambda item: item[0].partition):
                for raw in raws:
                    if follow or raw.offset < ends[tp]:
                        yield _record(raw)
            if not follow and all([await self._position(tp) >= end for tp, end in ends.items()]):
                return

    async def _ends(self) -> dict[TopicPartition, int]:
        assigned = list(self._consumer.assignment())
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(assigned)
        return ends

    async def _position(self, tp: TopicPartition) -> int:
        return int(await self._consumer.position(tp))


async def read_topic(
    settings: ServiceSettings, topic: str, *, since: datetime | None = None, follow: bool = False
) -> Any:
    async with TopicReader(settings, topic) as reader:
        await reader.seek(since)
        async for record in reader.read(follow=follow):
            yield record


def dead_letter_topic_of(settings: ServiceSettings, service: str) -> str:
    return f"{settings.kafka_topic_prefix}{service}.dead-letter"


@dataclass(frozen=True)
class DeadLetter:
    record: Record

    @property
    def reason(self) -> str:
        return self.record.headers.get(REASON_HEADER, "")

    @property
    def original_topic(self) -> str:
        return self.record.headers.get("dlq_original_topic", "")

    @property
    def original_position(self) -> str:
        headers = self.record.headers
        return f"{headers.get('dlq_original_partition', '?')}:{headers.get('dlq_original_offset', '?')}"

    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the message had before it was parked (the CloudEvents attributes, traceparent)."""
        return [
            (name, value.encode())
            for name, value in self.record.headers.items()
            if not name.startswith(DLQ_HEADER_PREFIX)
        ]


async def list_dead_letters(
    settings: ServiceSettings, service: str, *, since: datetime | None = None
) -> list[DeadLetter]:
    topic = dead_letter_topic_of(settings, service)
    return [DeadLetter(record) async for record in read_topic(settings, topic, since=since)]


async def replay(
    settings: ServiceSettings, letters: Iterable[DeadLetter], *, replayed_at: datetime | None = None
) -> list[tuple[DeadLetter, str]]:
    """Publish each parked message again to its original topic, as it was, for its consumers to retry.

    Consumer groups that had applied the message already skip it (their inbox knows its id); the group
    that parked it applies it now, or parks it again with a new reason.
    """
    letters = list(letters)
    unknown = [letter.record.position for letter in letters if not letter.original_topic]
    if unknown:
        raise OperatorError(f"dead letters without an original topic: {', '.join(unknown)}")
    options = aiokafka_client_options(settings)
    options["client_id"] = "edu-clusters-cli"
    producer = AIOKafkaProducer(enable_idempotence=True, acks="all", **options)
    await producer.start()
    stamp = (replayed_at or datetime.now(UTC)).isoformat()
    done = []
    try:
        for letter in letters:
            headers = [
                *letter.original_headers(),
                ("replayed_from", f"{letter.record.topic}/{letter.record.position}".encode()),
                ("replayed_at", stamp.encode()),
            ]
            metadata = await producer.send_and_wait(
                letter.original_topic,
                letter.record.value,
                key=letter.record.key.encode() if letter.record.key is not None else None,
                headers=headers,
            )
            done.append((letter, f"{metadata.topic} {metadata.partition}:{metadata.offset}"))
    except KafkaError as exc:
        raise OperatorError(f"replay stopped after {len(done)} message(s): {exc}") from exc
    finally:
        await producer.stop()
    return done
