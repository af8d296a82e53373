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
- Batches: what one fetch returns (up to ``max_batch`` records, from every partition the member owns) is
  applied in one transaction (or several, each closed after ``max_transaction_s`` of handlers: SQLite
  has one write lock), with one inbox look-up and one bulk inbox insert, in the order fetched, so
  per-partition order holds. When a handler fails, its predecessors are applied again without it and the
  failed event goes on alone through the retries above, then the rest follow; when the batch fails
  without a handler to blame (the commit, a constraint), it is bisected until the culprit stands alone.
  One poison message thus costs its neighbours a re-apply, never their delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any, TypeVar

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.subscriber.usecase import BatchSubscriber
from faststream.message import StreamMessage
from opentelemetry.trace import SpanKind
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.clock import utc_now
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
BatchHook = Callable[[UnitOfWork, Sequence[IncomingEvent]], Awaitable[None]]
"""Runs in a batch's transaction before its handlers, with the events they are about to apply: loads in
one query what they would each look up (a replica's stored rows), so that they find it in the session."""


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

    def __init__(self, group_id: str, *, from_latest: bool = False) -> None:
        """``from_latest``: a new group starts at the topics' end instead of their backlog, for a group
        that only nudges what is open now (a console instance's live pages), never for state."""
        if not group_id or not group_id.strip():
            raise ValueError("a consumer group id is required: group ids are stable names, never defaults")
        self.group_id = group_id
        self.from_latest = from_latest
        self._handlers: dict[type[EventPayload], Handler] = {}
        self._before_batch: list[BatchHook] = []

    def handles(
        self, event_class: type[E]
    ) -> Callable[[Callable[[E | None, Delivery], Awaitable[None]]], Handler]:
        def register(handler: Callable[[E | None, Delivery], Awaitable[None]]) -> Handler:
            if event_class in self._handlers:
                raise ValueError(f"{event_class.__name__} already has a handler in group {self.group_id}")
            self._handlers[event_class] = handler
            return handler

        return register

    def before_batch(self, hook: BatchHook) -> BatchHook:
        """Register a ``BatchHook``; a failing hook fails the batch, which is then bisected."""
        self._before_batch.append(hook)
        return hook

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
        max_batch: int = 500,
        max_transaction_s: float = 0.25,
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
            max_transaction_s,
            list(self._before_batch),
        )

        async def on_batch(body: bytes, message: KafkaMessage) -> None:
            await runner.run(message.raw_message, message.consumer)

        subscriber = broker.subscriber(
            *(naming.physical(topic.name) for topic in self.topics),
            group_id=group_id,
            auto_offset_reset="latest" if self.from_latest else "earliest",
            ack_policy=AckPolicy.MANUAL,
            batch=True,
            max_records=max_batch,
            batch_timeout_ms=_FETCH_WAIT_MS,
            parser=_parse_batch,
            decoder=_no_body,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            max_poll_interval_ms=max_poll_interval_ms,
            title=f"{group_id}:consume",
            description="Handles: " + ", ".join(sorted(c.event_type for c in self._handlers)),
        )
        if type(subscriber) is BatchSubscriber:
            subscriber.__class__ = _WaitingBatchSubscriber
        subscriber(on_batch)
        return runner.offsets


_FETCH_WAIT_MS = 1_000
"""How long one fetch waits for records before it asks again (it returns as soon as any arrive)."""


class _WaitingBatchSubscriber(BatchSubscriber):
    """FastStream's batch subscriber sleeps ``batch_timeout_ms`` after a fetch that found nothing, so the
    first record after a quiet spell waited up to that long; this one fetches again at once."""

    __slots__ = ()

    async def get_msg(self, consumer: Any) -> tuple[Any, ...]:
        while self.running:
            fetched = await consumer.getmany(timeout_ms=self.batch_timeout_ms, max_records=self.max_records)
            if fetched:
                return tuple(chain(*fetched.values()))
        return ()


@dataclass(frozen=True)
class _Item:
    """A decoded record with its handler: one event to apply."""

    record: Any
    incoming: IncomingEvent
    handler: Handler


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error


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
    max_transaction_s: float = 0.25
    before_batch: list[BatchHook] = dataclasses.field(default_factory=list)

    async def run(self, records: Sequence[Any], consumer: Any) -> None:
        """Deal with one fetch: park what cannot be parsed, apply the rest, then mark every offset done."""
        items: list[_Item] = []
        last: dict[tuple[str, int], Any] = {}
        for record in records:
            last[(record.topic, record.partition)] = record
            try:
                incoming = decode_record(record, topic=self.naming.logical(record.topic))
            except InvalidMessage as exc:
                # What came before it is dealt with first: a parked message means its predecessors were.
                await self._apply(items)
                items = []
                await self.dead_letters.park(record, reason=str(exc), consumer_group=self.group_id)
                self._count(record.topic, "unparsed", "dead_lettered")
                continue
            handler = self.handlers.get(incoming.spec.model)
            if handler is None:
                self._count(record.topic, incoming.envelope.type, "ignored")  # a type of no interest
                continue
            items.append(_Item(record, incoming, handler))
        await self._apply(items)
        # Only now, with every event applied, skipped or parked, may the offsets move past them.
        for record in last.values():
            self._record_lag(consumer, record)
            self.offsets.mark_done(consumer, record)

    async def _apply(self, items: Sequence[_Item]) -> None:
        while items:
            if len(items) == 1:
                await self._apply_alone(items[0])
                return
            try:
                outcomes = await self._apply_together(items)
            except _HandlerFailed as failed:
                # The events before it did apply: again, without it; it goes on alone; then the rest.
                await self._apply(items[: failed.index])
                await self._apply_alone(items[failed.index], failed_first=failed.error)
                items = items[failed.index + 1 :]
                continue
            except Exception:
                # Nothing to blame in particular (the commit failed, say): halve until the culprit is alone.
                log.info("a batch of %d events failed to commit; bisecting it", len(items), exc_info=True)
                half = len(items) // 2
                await self._apply(items[:half])
                await self._apply(items[half:])
                return
            for item, (outcome, trace_id) in zip(items, outcomes, strict=False):
                self._log_outcome(item, outcome, trace_id=trace_id)
                self._count(item.record.topic, item.incoming.envelope.type, outcome)
            items = items[len(outcomes) :]  # what did not fit in the transaction's time

    async def _apply_together(self, items: Sequence[_Item]) -> list[tuple[str, str | None]]:
        """Apply the events not seen before, and record them in the inbox, in one transaction; returns
        the outcomes of the leading events it took, which may stop short of all of them: a transaction
        that writes holds SQLite's one write lock, so it ends after ``max_transaction_s`` of handlers."""
        outcomes: list[tuple[str, str | None]] = []
        deadline = time.monotonic() + self.max_transaction_s
        async with self.uow_factory() as uow:
            ids = {item.incoming.envelope.id for item in items}
            known = select(InboxMessage.event_id).where(
                col(InboxMessage.consumer_group) == self.group_id, col(InboxMessage.event_id).in_(ids)
            )
            seen = set((await uow.session.exec(known)).all())
            if self.before_batch:
                fresh = [item.incoming for item in items if item.incoming.envelope.id not in seen]
                for hook in self.before_batch:
                    await hook(uow, fresh)
            inbox: list[dict[str, Any]] = []
            now = utc_now()
            for index, item in enumerate(items):
                envelope, record = item.incoming.envelope, item.record
                if envelope.id in seen:  # applied before, or earlier in this very batch
                    outcomes.append(("duplicate", trace_id_from_traceparent(envelope.traceparent)))
                    continue
                seen.add(envelope.id)
                with self._traced(item) as trace_id:
                    delivery = Delivery(
                        uow, envelope, item.incoming.key, record.topic, record.partition, record.offset
                    )
                    try:
                        await item.handler(item.incoming.event, delivery)
                    except Exception as exc:
                        raise _HandlerFailed(index, exc) from exc
                outcomes.append(("processed", trace_id))
                inbox.append(self._inbox_row(item, now))
                if time.monotonic() > deadline:
                    break
            if inbox:
                connection = await uow.session.connection()
                await connection.execute(InboxMessage.__table__.insert(), inbox)  # type: ignore[attr-defined]
            await uow.commit()
        return outcomes

    def _inbox_row(self, item: _Item, now: datetime) -> dict[str, Any]:
        envelope, record = item.incoming.envelope, item.record
        return {
            "consumer_group": self.group_id,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "processed_at": now,
        }

    async def _apply_alone(self, item: _Item, *, failed_first: Exception | None = None) -> None:
        """One event, with retries and dead-lettering: ``failed_first`` is its first attempt's failure."""
        with self._traced(item):
            outcome = await self._handle(item.incoming, item.handler, item.record, failed_first)
            self._log_outcome(item, outcome)
        self._count(item.record.topic, item.incoming.envelope.type, outcome)

    @contextlib.contextmanager
    def _traced(self, item: _Item) -> Iterator[str | None]:
        """The handler's logs and any event it records continue the producer's trace."""
        envelope = item.incoming.envelope
        with use_traceparent(
            envelope.traceparent,
            span_name=f"{item.record.topic} process",
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.consumer.group.name": self.group_id,
                "cloudevents.event_type": envelope.type,
            },
        ) as traceparent:
            trace_id = trace_id_from_traceparent(traceparent)
            with log_context(event_id=envelope.id, trace_id=trace_id):
                yield trace_id

    def _log_outcome(self, item: _Item, outcome: str, *, trace_id: str | None = None) -> None:
        """One line per event; ``trace_id`` names the trace when the line is written outside the event's
        log context (after a batch's commit), where entering a context for it cost more than the line."""
        record = item.record
        context = {"event_id": item.incoming.envelope.id} | ({"trace_id": trace_id} if trace_id else {})
        log.info(
            "event %s",
            outcome,
            extra={
                **context,
                "event_type": item.incoming.envelope.type,
                "consumer_group": self.group_id,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            },
        )

    async def _handle(
        self, incoming: IncomingEvent, handler: Handler, record: Any, failed_first: Exception | None
    ) -> str:
        reason = ""
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                if attempt == 1 and failed_first is not None:
                    raise failed_first
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

    def _record_lag(self, consumer: Any, record: Any) -> None:
        """Messages after this one in its partition, as last fetched."""
        highwater = getattr(consumer, "highwater", None)
        end = highwater(TopicPartition(record.topic, record.partition)) if highwater else None
        if end is not None and self.metrics is not None:
            lag = max(int(end) - int(record.offset) - 1, 0)
            self.metrics.lag.labels(self.group_id, record.topic, str(record.partition)).set(lag)


async def _parse_batch(
    records: tuple[Any, ...], original_parser: Callable[[Any], Awaitable[Any]]
) -> StreamMessage[Any]:
    """FastStream's batch parser decodes every header of every record, strictly, and would fail before
    our handler could dead-letter a record with a bad one. Only the first record's are decoded here
    (FastStream's logs want some), sanitised if need be; ``decode_record`` reports a bad header."""
    first = records[0]
    try:
        message: StreamMessage[Any] = await original_parser((first,))
    except UnicodeDecodeError:
        headers = [(name, value.decode("utf-8", errors="replace").encode()) for name, value in first.headers]
        message = await original_parser((dataclasses.replace(first, headers=headers),))
    message.raw_message = records
    message.body = [record.value or b"" for record in records]  # for FastStream's size metric
    return message


async def _no_body(message: StreamMessage[Any]) -> bytes:
    """The handler reads the records themselves: ``decode_record`` validates and dead-letters them."""
    return b""
