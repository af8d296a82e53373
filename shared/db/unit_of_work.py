"""The unit of work: one transaction in which a use case changes its tables and records its events.

Events go to the outbox table inside the same transaction, so a change and the news of it commit together
or not at all. Routes and handlers never commit themselves; the service layer calls ``commit()``.

The outbox rows, and the rows a use case hands to ``insert`` (new rows nothing reads back before the
commit), are written as one Core statement per table just before the commit, not as ORM objects: the
ORM's flush of each row cost more than building it (``bench.http_paths``: a third of a report's time).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db.messaging_tables import OutboxMessage
from shared.db.wakeups import Wakeups
from shared.events.base import EventPayload
from shared.observability.tracing import current_traceparent

_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
_OUTSIDE = "the unit of work is used outside 'async with'"


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
        wakeups: Wakeups | None = None,
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._on_commit = on_commit
        self._wakeups = wakeups
        self._session: AsyncSession | None = None
        self._inserts: dict[Table, list[dict[str, Any]]] = {}
        """Rows to write at the commit, by table, in the order given; the outbox is one of the tables."""
        self._wake: set[str] = set()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError(_OUTSIDE)
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._inserts = {}
        self._wake = set()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Whatever was not committed is rolled back: an exception, or a path that forgot to commit.
        session, self._session = self.session, None
        try:
            await session.rollback()
        finally:
            await session.close()

    def insert(self, row: SQLModel) -> None:
        """Write ``row`` (a new table row) at the commit, with the others of its table in one statement,
        in the order given. For rows that nothing in this unit of work reads back or refers to from an
        ORM object (their own database-made ids stay unknown); what the ORM holds is flushed first."""
        table: Table = type(row).__table__  # type: ignore[attr-defined]
        values = {column.key: getattr(row, column.key) for column in table.columns}
        for column in table.primary_key.columns:
            if values[column.key] is None and column.autoincrement in (True, "auto"):
                del values[column.key]  # the database numbers it
        self._add(table, values)

    def _add(self, table: Table, values: dict[str, Any]) -> None:
        if self._session is None:
            raise RuntimeError(_OUTSIDE)
        self._inserts.setdefault(table, []).append(values)

    def record(self, event: EventPayload, *, occurred_at: datetime | None = None) -> str:
        """Record an event to publish once this unit of work commits; returns its CloudEvents id."""
        return self._add_outbox_row(
            type(event), event.message_key(), event.subject(), event.model_dump_json(), occurred_at
        )

    def record_deletion(self, event_class: type[EventPayload], key: str) -> str:
        """Record a tombstone: on a compacted topic the key's state is gone for good."""
        return self._add_outbox_row(event_class, key, f"{event_class.entity}/{key}", None, None)

    def _add_outbox_row(
        self,
        event_class: type[EventPayload],
        key: str,
        subject: str,
        payload: str | None,
        occurred_at: datetime | None,
    ) -> str:
        event_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        self._add(
            _OUTBOX,
            {
                "event_id": event_id,
                "event_type": event_class.event_type,
                "source": self._source,
                "subject": subject,
                "topic": event_class.topic.name,
                "message_key": key,
                "payload": payload,
                "traceparent": current_traceparent(),
                "occurred_at": occurred_at or now,
                "created_at": now,
                "published_at": None,
                "publish_attempts": 0,
                "last_error": None,
            },
        )
        return event_id

    def wake_after_commit(self, signal: str) -> None:
        """Once this unit of work commits, wake the background jobs that wait on ``signal`` (work it
        planned for them), here and in the service's other instances (``shared.db.wakeups``)."""
        self._wake.add(signal)

    async def commit(self) -> None:
        wake, self._wake = self._wake, set()
        inserts, self._inserts = self._inserts, {}
        if inserts:
            await self.session.flush()  # the rows may refer to what the ORM holds
            connection = await self.session.connection()  # the session's own transaction
            for table, rows in inserts.items():
                await connection.execute(insert(table), rows)
        if wake and self._wakeups is not None:
            await self._wakeups.notify_on_commit(self.session, wake)
        await self.session.commit()
        if _OUTBOX in inserts and self._on_commit is not None:
            self._on_commit()
        if wake and self._wakeups is not None:
            self._wakeups.wake(wake)

    async def rollback(self) -> None:
        await self.session.rollback()
        self._inserts = {}
        self._wake = set()


UnitOfWorkFactory = Callable[[], UnitOfWork]

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]
