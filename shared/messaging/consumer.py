"""Every subscriber of the project is built here, with the delivery guarantees the design asks for.

- An explicit, stable consumer group and ``auto_offset_reset="earliest"``: a new group reads the backlog
  instead of silently skipping it (FastStream's default is "latest").
- Manual acknowledgement: an offset is committed only after the event's transaction committed, or after
  the message was parked in the dead-letter topic (``OffsetCommitter``, in the background). FastStream's
  default (ack first) is at-most-once.
- The inbox: the handler's writes and the event id commit together; an id seen before is skipped, so a
  redelivered or twice-published event is applied once.
- Failures: a malformed message is dead-lettered at once; any other failure is retried in place with
  bounded exponential backoff, then dead-lettered. The consumer never crashes and never commits past a
  message it has not dealt with.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from opentelemetry.trace import SpanKind
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy.exc import IntegrityError

from shared.db.messaging_tables import InboxMessage
from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from shared.events.base import EventPayload
from shared.events.envelope import Envelope
from shared.events.topics import TopicNaming, TopicSpec
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.incoming import IncomingEvent, InvalidMessage, decode_record
from shared.messaging.offsets import OffsetCommitter
from shared.observability.logging import log_context
from shared.observability.tracing import trace_id_from_traceparent, use_traceparent

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler when retrying cannot help (the event contradicts the replica, say)."""


@dataclass(frozen=True)
class Delivery:
    """What a handler gets besides the event: the unit of work to write in, and the event's origin."""

    uow: UnitOfWork
    envelope: Envelope
    key: str | None
    topic: str
    partition: int
    offset: int

    @property
    def tombstone_key(self) -> str:
        """The key of the entity a tombstone removes; one without a key names nothing and cannot apply."""
        if self.key is None:
            raise PermanentError("a tombstone without a key names no entity")
        return self.key


E = TypeVar("E", bound=EventPayload)
Handler = Callable[[Any, Delivery], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay_before(self, attempt: int) -> float:
        """Exponential with jitter, so replicas retrying the same failure do not stampede."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.outcomes = Counter(
            "consumer_events_total",
            "Events a consumer group dealt with, by outcome (processed, duplicate, ignored, dead_lettered)",
            ["consumer_group", "topic", "event_type", "outcome"],
            registry=registry,
        )
        self.retries = Counter(
            "consumer_retries_total",
            "Handler attempts that failed and were retried",
            ["consumer_group", "topic"],
            registry=registry,
        )
        self.lag = Gauge(
            "consumer_lag_messages",
            "Messages behind the partition's end, as of the last message consumed",
            ["consumer_group", "topic", "partition"],
            registry=registry,
        )


class EventConsumer:
    """One consumer group: the event types it handles and what it does with each.

    Handlers are registered with ``@consumer.handles(SomeEventV1)`` and receive the event (``None`` for a
    tombstone) and a ``Delivery``; they write through ``delivery.uow`` and never commit.
    """

    def __init__(self, group_id: str) -> None:
        if not group_id or not group_id.strip():
            raise ValueError("a consumer group id is required: group ids are stable names, never defaults")
        self.group_id = group_id
        self._handlers: dict[type[EventPayload], Handler] = {}

    def handles(
        self, event_class: type[E]
    ) -> Callable[[Callable[[E | None, Delivery], Awaitable[None]]], Handler]:
        def register(handler: Callable[[E | None, Delivery], Awaitable[None]]) -> Handler:
            if event_class in self._handlers:
                raise ValueError(f"{event_class.__name__} already has a handler in group {self.group_id}")
            self._handlers[event_class] = handler
            return handler

        return register

    @property
    def topics(self) -> list[TopicSpec]:
        by_name = {event_class.topic.name: event_class.topic for event_class in self._handlers}
        return [by_name[name] for name in sorted(by_name)]

    def attach(
        self,
        broker: KafkaBroker,
        *,
        uow_factory: UnitOfWorkFactory,
        dead_letters: DeadLetters,
        retry: RetryPolicy,
        naming: TopicNaming | None = None,
        metrics: ConsumerMetrics | None = None,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        max_poll_interval_ms: int = 60_000,
    ) -> OffsetCommitter:
        """Register this group's subscriber on the broker (before the broker starts).

        Returns the group's offset committer, which the owner closes before stopping the broker.
        """
        if not self._handlers:
            raise ValueError(f"consumer group {self.group_id} handles no event type")
        naming = naming or TopicNaming()
        group_id = naming.physical(self.group_id)
        runner = _GroupRunner(
            group_id,
            naming,
            dict(self._handlers),
            uow_factory,
            dead_letters,
            retry,
            metrics,
            OffsetCommitter(),
        )

        async def on_message(body: bytes, message: KafkaMessage) -> None:
            await runner.run(message)

        broker.subscriber(
            *(naming.physical(topic.name) for topic in self.topics),
            group_id=group_id,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            parser=_keep_undecodable_headers,
            decoder=_raw_body,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            max_poll_interval_ms=max_poll_interval_ms,
            title=f"{group_id}:consume",
            description="Handles: " + ", ".join(sorted(c.event_type for c in self._handlers)),
        )(on_message)
        return runner.offsets


@dataclass
class _GroupRunner:
    group_id: str
    naming: TopicNaming
    handlers: dict[type[EventPayload], Handler]
    uow_factory: UnitOfWorkFactory
    dead_letters: DeadLetters
    retry: RetryPolicy
    metrics: ConsumerMetrics | None
    offsets: OffsetCommitter

    async def run(self, message: Any) -> None:
        record = message.raw_message
        self._record_lag(message, record)
        try:
            incoming = decode_record(record, topic=self.naming.logical(record.topic))
        except InvalidMessage as exc:
            await self.dead_letters.park(record, reason=str(exc), consumer_group=self.group_id)
            self._count(record.topic, "unparsed", "dead_lettered")
        else:
            handler = self.handlers.get(incoming.spec.model)
            if handler is None:
                outcome = "ignored"  # a known type this group has no interest in
            else:
                # The handler's logs and any event it records continue the producer's trace.
                with use_traceparent(
                    incoming.envelope.traceparent,
                    span_name=f"{record.topic} process",
                    kind=SpanKind.CONSUMER,
                    attributes={
                        "messaging.consumer.group.name": self.group_id,
                        "cloudevents.event_type": incoming.envelope.type,
                    },
                ) as traceparent:
                    trace_id = trace_id_from_traceparent(traceparent)
                    with log_context(event_id=incoming.envelope.id, trace_id=trace_id):
                        outcome = await self._handle(incoming, handler, record)
                        log.info(
                            "event %s",
                            outcome,
                            extra={
                                "event_type": incoming.envelope.type,
                                "consumer_group": self.group_id,
                                "topic": record.topic,
                                "partition": record.partition,
                                "offset": record.offset,
                            },
                        )
            self._count(record.topic, incoming.envelope.type, outcome)
        # Only now, with the event applied, skipped or parked, may the offset move past it.
        self.offsets.mark_done(message.consumer, record)

    async def _handle(self, incoming: IncomingEvent, handler: Handler, record: Any) -> str:
        reason = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                applied = await self._apply_once(incoming, handler, record)
            except PermanentError as exc:
                reason = f"handler refused the event: {exc}"
                break
            except Exception as exc:
                reason = f"handler failed after {attempt} attempt(s): {type(exc).__name__}: {exc}"
                if attempt == self.retry.max_attempts:
                    break
                log.warning("handler failed; retrying", exc_info=True, extra={"attempt": attempt})
                if self.metrics is not None:
                    self.metrics.retries.labels(self.group_id, record.topic).inc()
                await asyncio.sleep(self.retry.delay_before(attempt))
            else:
                return "processed" if applied else "duplicate"
        await self.dead_letters.park(record, reason=reason, consumer_group=self.group_id)
        return "dead_lettered"

    async def _apply_once(self, incoming: IncomingEvent, handler: Handler, record: Any) -> bool:
        """Apply the event and record it in the inbox in one transaction; False if already applied."""
        inbox_key = (self.group_id, incoming.envelope.id)
        async with self.uow_factory() as uow:
            if await uow.session.get(InboxMessage, inbox_key) is not None:
                return False
            delivery = Delivery(
                uow, incoming.envelope, incoming.key, record.topic, record.partition, record.offset
            )
            await handler(incoming.event, delivery)
            uow.session.add(
                InboxMessage(
                    consumer_group=self.group_id,
                    event_id=incoming.envelope.id,
                    event_type=incoming.envelope.type,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
            )
            try:
                await uow.commit()
            except IntegrityError:
                # Another member of the group applied it first (during a rebalance): a duplicate, not a
                # failure. Any other constraint violation is the handler's and is re-raised.
                await uow.rollback()
                if await uow.session.get(InboxMessage, inbox_key) is not None:
                    return False
                raise
        return True

    def _count(self, topic: str, event_type: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.outcomes.labels(self.group_id, topic, event_type, outcome).inc()

    def _record_lag(self, message: Any, record: Any) -> None:
        """Messages after this one in its partition, as last fetched."""
        highwater = getattr(getattr(message, "consumer", None), "highwater", None)
        end = highwater(TopicPartition(record.topic, record.partition)) if highwater else None
        if end is not None and self.metrics is not None:
            lag = max(int(end) - int(record.offset) - 1, 0)
            self.metrics.lag.labels(self.group_id, record.topic, str(record.partition)).set(lag)


async def _keep_undecodable_headers(record: Any, original_parser: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream decodes headers strictly and would fail before our handler could dead-letter the record.

    Give it a sanitised copy, but keep the original record so ``decode_record`` reports the bad header.
    """
    try:
        return await original_parser(record)
    except UnicodeDecodeError:
        sanitised = dataclasses.replace(
            record,
            headers=[
                (name, value.decode("utf-8", errors="replace").encode()) for name, value in record.headers
            ],
        )
        message = await original_parser(sanitised)
        message.raw_message = record
        return message


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    """Hand the body over undecoded: ``decode_record`` validates it and dead-letters what is malformed."""
    return message.body
