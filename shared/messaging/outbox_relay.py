"""Publishes outbox rows to Kafka in commit order and marks each one only after the broker confirms it.

Why a relay and not a publish inside the request: a crash between the database commit and the publish
would lose the event; here the row survives and is sent on the next pass (at worst twice, which the
consumers' inbox absorbs).

- It wakes right after a local commit (``wake()``), and also sweeps every ``sweep_interval`` for rows
  committed by other processes or left behind by a failed pass.
- Rows are sent pipelined in id order through the idempotent producer; per-partition order holds, and only
  the confirmed prefix of a batch is marked, so a failure never lets a later row overtake an earlier one
  of the same pass. A batch costs one SELECT and one UPDATE, whatever its size, and the rows go straight
  to the broker's aiokafka producer: FastStream's publish path (middlewares, codec) doubled the cost of
  a send, and the rows are already serialised. The relay's own metrics count what it published.
- The pass holds no write lock while it waits for Kafka: it reads, sends, and only then writes its marks
  (SQLite's writers queue in-process; see ``shared.db.sqlite_writer``).
- On PostgreSQL a pass runs under a transaction-scoped advisory lock: of several relays on one database
  only the holder publishes; the others skip the pass. SQLite is the embedded single-process database,
  so there an in-process lock is enough.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlmodel import col

from shared.clock import utc_now
from shared.db.messaging_tables import InboxMessage, OutboxMessage
from shared.events.envelope import JSON_CONTENT_TYPE, kafka_headers
from shared.events.topics import TopicNaming
from shared.messaging.broker import aiokafka_producer

log = logging.getLogger(__name__)

# Any fixed 64-bit number, the same in every relay process of the project: the advisory lock's name.
ADVISORY_LOCK_KEY = 0x0ED0C1A5_7E4A_0001


class OutboxPublishError(RuntimeError):
    """A pass could not publish every row it claimed; the rest stay for the next pass."""


class OutboxMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.backlog = Gauge(
            "outbox_backlog_messages", "Outbox rows not yet confirmed by Kafka", registry=registry
        )
        self.oldest_age = Gauge(
            "outbox_oldest_unpublished_age_seconds",
            "Age of the oldest unpublished outbox row (0 when none)",
            registry=registry,
        )
        self.published = Counter(
            "outbox_published_total", "Outbox rows confirmed by Kafka", ["topic"], registry=registry
        )
        self.failures = Counter(
            "outbox_publish_failures_total", "Relay passes that failed to publish a row", registry=registry
        )


@dataclass(frozen=True)
class _PendingRow:
    id: int
    event_id: str
    event_type: str
    source: str
    subject: str | None
    topic: str
    message_key: str
    payload: str | None
    traceparent: str | None
    occurred_at: Any

    def headers(self) -> list[tuple[str, bytes]]:
        return kafka_headers(
            id=self.event_id,
            type=self.event_type,
            source=self.source,
            time=self.occurred_at,
            subject=self.subject,
            content_type=JSON_CONTENT_TYPE if self.payload is not None else None,
            traceparent=self.traceparent,
        )


async def confirmed_prefix(deliveries: list[asyncio.Future[Any]]) -> tuple[int, BaseException | None]:
    """How many of ``deliveries`` the broker confirmed before the first that failed, and that failure.

    Awaited in order, one at a time: a gather put a callback on every future of the batch, a tenth of the
    relay's time. The futures after a failure are left to finish by themselves, their outcome unread
    (their rows stay unmarked and are sent again)."""
    for index, delivery in enumerate(deliveries):
        try:
            await delivery
        except Exception as exc:  # noqa: BLE001 - the rows from here on stay for the next pass
            for later in deliveries[index + 1 :]:
                later.add_done_callback(_retrieve)  # nobody awaits them: no "exception never retrieved"
            return index, exc
    return len(deliveries), None


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        broker: KafkaBroker,
        naming: TopicNaming | None = None,
        metrics: OutboxMetrics | None = None,
        batch_size: int = 500,
        sweep_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._engine = engine
        self._broker = broker
        self._naming = naming or TopicNaming()
        self._metrics = metrics
        self._batch_size = batch_size
        self._sweep_interval = sweep_interval
        self._retention = retention
        self._wakeup = asyncio.Event()
        self._pass_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._last_housekeeping = 0.0
        self._last_purge = 0.0

    def wake(self) -> None:
        """Called after a commit that recorded events: publish now rather than at the next sweep."""
        self._wakeup.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self, *, grace_s: float = 10.0) -> None:
        """Let the current pass finish, then stop; cancel only if it overruns ``grace_s``.

        Cancelling a pass in the middle of a database call can leave an aiosqlite connection waiting
        on its worker thread, so the relay is asked to stop between passes instead.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_s)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def publish_pending(self) -> int:
        """One pass: publish up to a batch of unpublished rows in order; returns how many were confirmed."""
        async with self._pass_lock, self._engine.begin() as connection:
            if not await self._is_leader(connection):
                return 0
            rows = await self._claim(connection)
            if not rows:
                return 0
            confirmed, error = await self._publish(rows)
            await self._mark(connection, rows, confirmed, error)
        if self._metrics is not None:
            for row in rows[:confirmed]:
                self._metrics.published.labels(row.topic).inc()
        if error is not None:
            raise OutboxPublishError(f"published {confirmed} of {len(rows)} rows: {error}") from error
        return confirmed

    async def _is_leader(self, connection: AsyncConnection) -> bool:
        if connection.dialect.name != "postgresql":
            return True
        result = await connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
        return bool(result.scalar_one())

    async def _claim(self, connection: AsyncConnection) -> list[_PendingRow]:
        columns = [getattr(OutboxMessage, name) for name in _PendingRow.__dataclass_fields__]
        result = await connection.execute(
            select(*columns)
            .where(col(OutboxMessage.published_at).is_(None))
            .order_by(col(OutboxMessage.id))
            .limit(self._batch_size)
        )
        return [_PendingRow(*row) for row in result.all()]

    async def _publish(self, rows: list[_PendingRow]) -> tuple[int, BaseException | None]:
        """Send every row, then wait for all confirmations; returns the confirmed prefix length."""
        deliveries: list[asyncio.Future[Any]] = []
        enqueue_error: BaseException | None = None
        producer = aiokafka_producer(self._broker)
        topics: dict[str, str] = {}
        for row in rows:
            topic = topics.get(row.topic) or topics.setdefault(row.topic, self._naming.physical(row.topic))
            value = row.payload.encode() if row.payload is not None else None
            try:
                if producer is not None:
                    delivery = await producer.send(
                        topic, value, key=row.message_key.encode(), headers=row.headers()
                    )
                else:  # not FastStream's usual producer: its own publish
                    delivery = await self._broker.publish(
                        value,
                        topic,
                        key=row.message_key.encode(),
                        headers={name: raw.decode() for name, raw in row.headers()},
                        no_confirm=True,  # the confirmation is awaited below, before any row is marked
                    )
            except Exception as exc:  # noqa: BLE001 - every failure keeps the row for the next pass
                enqueue_error = exc
                break
            deliveries.append(delivery)
        confirmed, error = await confirmed_prefix(deliveries)
        return confirmed, error if error is not None else enqueue_error

    async def _mark(
        self,
        connection: AsyncConnection,
        rows: list[_PendingRow],
        confirmed: int,
        error: BaseException | None,
    ) -> None:
        if confirmed:
            # The ids are written into the statement: an IN of a bound parameter per id cost SQLAlchemy
            # more to expand than the UPDATE took to run. They are integers this relay read from the table.
            ids = ",".join(str(int(row.id)) for row in rows[:confirmed])
            await connection.execute(
                update(OutboxMessage)
                .where(text(f"{OutboxMessage.__tablename__}.id IN ({ids})"))
                .values(published_at=utc_now(), publish_attempts=OutboxMessage.publish_attempts + 1)
            )
        if error is not None and confirmed < len(rows):
            await connection.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == rows[confirmed].id)
                .values(
                    publish_attempts=OutboxMessage.publish_attempts + 1,
                    last_error=f"{type(error).__name__}: {error}"[:2000],
                )
            )

    async def _run(self) -> None:
        failures = 0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self._sweep_interval)
            self._wakeup.clear()
            if self._stopping:
                return
            try:
                while await self.publish_pending() == self._batch_size:
                    pass
                failures = 0
            except Exception:
                failures += 1
                if self._metrics is not None:
                    self._metrics.failures.inc()
                log.exception("outbox relay pass failed", extra={"consecutive_failures": failures})
                await asyncio.sleep(min(0.1 * 2**failures, 10.0))
            await self._housekeeping()

    async def _housekeeping(self) -> None:
        """Refresh the backlog gauges at most once a second; purge old rows once a minute.

        Outbox rows published, and inbox rows applied, more than ``retention`` ago protect against
        nothing: a redelivery comes within seconds of the offset commit it missed. A group rewound on
        purpose meets versioned replicas and unique delivery keys, which make a re-applied event harmless.
        """
        now = time.monotonic()
        if now - self._last_housekeeping < 1.0:
            return
        self._last_housekeeping = now
        purge_due = now - self._last_purge >= 60.0
        try:
            async with self._engine.begin() as connection:
                if purge_due:
                    self._last_purge = now
                    cutoff = utc_now() - self._retention
                    await connection.execute(
                        delete(OutboxMessage).where(col(OutboxMessage.published_at) < cutoff)
                    )
                    await connection.execute(
                        delete(InboxMessage).where(col(InboxMessage.processed_at) < cutoff)
                    )
                count, oldest = (
                    await connection.execute(
                        select(func.count(), func.min(OutboxMessage.created_at)).where(
                            col(OutboxMessage.published_at).is_(None)
                        )
                    )
                ).one()
        except Exception:
            log.exception("outbox housekeeping failed")
            return
        if self._metrics is not None:
            self._metrics.backlog.set(count)
            self._metrics.oldest_age.set((utc_now() - oldest).total_seconds() if oldest is not None else 0)
