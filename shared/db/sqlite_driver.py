"""SQLAlchemy's aiosqlite driver with one trip to the connection's thread per statement, not four.

aiosqlite runs every call on its connection's own thread and hands the result back to the event loop:
SQLAlchemy's adapter makes four such trips for one statement (open a cursor, execute, fetch the rows,
close the cursor) and one more for a commit or rollback, even when no transaction is open. Each trip
wakes the loop through a pipe and waits for the GIL, so under concurrent requests a primary-key read
spent more time in hand-overs than in SQLite (py-spy, ``bench.http_paths``). Here a statement is one
function run on the thread (cursor, execute, fetch, close), and a commit or rollback with no transaction
open is not sent at all. What runs, in which order and on which thread is unchanged; only the number of
hand-overs is smaller. Server-side cursors (streamed results) keep SQLAlchemy's own adapter.

A statement that cannot wait on a lock runs on the event loop's thread with no hand-over at all: a read
(SQLite in WAL mode never makes a reader wait), and a write inside a transaction that already holds the
write lock. It costs the loop SQLite's own few microseconds, against a hand-over's hundreds under load
(``bench.http_paths``: a GET twice as fast). What may wait stays on the connection's thread: the first
write of a transaction (it takes the lock, which another process may hold for up to the busy timeout),
a commit (it may checkpoint the WAL to disk), a rollback, and anything else (DDL, PRAGMA).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

from shared.db.sqlite_writer import starts_with_write

_READS = ("SELECT", "WITH")


def _runs_inline(operation: str, in_transaction: bool) -> bool:
    """Whether ``operation`` cannot wait on a lock, so may run on the event loop's thread (see above)."""
    if operation.lstrip()[:6].upper().startswith(_READS):
        return True
    return in_transaction and starts_with_write(operation)


class _Outcome:
    """What the thread brings back of one statement: the cursor's attributes and every row."""

    __slots__ = ("description", "in_transaction", "lastrowid", "rowcount", "rows")

    def __init__(self, cursor: sqlite3.Cursor, rows: list[Any], in_transaction: bool) -> None:
        self.description = cursor.description
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid
        self.rows = rows
        self.in_transaction = in_transaction


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return _Outcome(cursor, rows, connection.in_transaction)
    finally:
        cursor.close()


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statement, rows and closing make one trip to the connection's thread."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized: Any = {}
        self._rows = collections.deque()
        self._outcome: _Outcome | None = None

    @property
    def description(self) -> Any:
        return self._outcome.description if self._outcome is not None else None

    @property
    def rowcount(self) -> int:
        return self._outcome.rowcount if self._outcome is not None else -1

    @property
    def lastrowid(self) -> Any:
        return self._outcome.lastrowid if self._outcome is not None else None

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _async_soft_close(self) -> None:
        return None  # nothing is held open: the thread closed the cursor after fetching

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._trip(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._trip(operation, seq_of_parameters, many=True)

    def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapt: OneTripConnection = self._adapt_connection  # type: ignore[assignment]
        try:
            outcome = await_(self._run_on_thread(operation, parameters, many))
        except Exception as error:  # noqa: BLE001 - re-raised as SQLAlchemy's adapter does, below
            # A failed statement may leave a transaction open (sqlite3 began it): roll back for sure.
            adapt.in_transaction = True
            self._adapt_connection._handle_exception(error)
        self._outcome = outcome
        self._rows = collections.deque(outcome.rows)
        adapt.in_transaction = outcome.in_transaction

    async def _run_on_thread(self, operation: Any, parameters: Any, many: bool) -> _Outcome:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        mutex = self._adapt_connection._execute_mutex
        raw: sqlite3.Connection = connection._conn
        if not mutex.locked() and _runs_inline(operation, raw.in_transaction):
            # Still a coroutine, awaited through SQLAlchemy's greenlet: AsyncConnection.execute insists
            # that a statement awaits something.
            return _run(raw, operation, parameters, many)
        async with mutex:
            on_thread: Any = connection._execute  # aiosqlite's own hand-over (untyped)
            outcome: _Outcome = await on_thread(_run, raw, operation, parameters, many)
            return outcome


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Sends a commit or rollback only while SQLite has a transaction open on the connection."""

    __slots__ = ("in_transaction",)
    _cursor_cls = _OneTripCursor  # type: ignore[assignment]  # a subclass of the stock one

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.in_transaction = True  # not known yet: the first commit or rollback is sent

    def rollback(self) -> None:
        if self.in_transaction:
            super().rollback()
            self.in_transaction = False

    def commit(self) -> None:
        if self.in_transaction:
            super().commit()
            self.in_transaction = False


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        adapted = super().connect(*arg, **kw)
        return OneTripConnection(self, adapted._connection)


def one_trip_dbapi() -> OneTripDbapi:
    """The module to hand ``create_async_engine(..., module=...)`` for ``sqlite+aiosqlite`` URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
