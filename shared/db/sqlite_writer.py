"""One SQLite writer at a time per database file, queued in asyncio instead of SQLite's busy handler.

SQLite lets one connection write at a time. A second writer that finds the lock taken sleeps in SQLite's
busy handler in steps of 1, 2, 5, ... 100 ms, without knowing when the first one finishes, so under
concurrent requests most of a transaction's time was spent asleep (p99 of a one-row commit: ~230 ms at
20 writers, 13 ms when they queue). Here a connection about to write waits on an ``asyncio.Lock``
shared by every engine of this process on the same file, and hands it on when its transaction ends:
writers follow each other at once and readers are never held up (WAL). Another process (the CLI) is
still arbitrated by SQLite's busy timeout.

Python's sqlite3 module starts a transaction at the first INSERT, UPDATE, DELETE or REPLACE (reads
before it run in autocommit), so that is where SQLite takes its write lock and where this takes the
queue's; it is given back when the connection returns to the pool, which the ORM session and
``engine.begin()`` do as soon as they commit or roll back. A connection that never comes back cannot
stall the others for ever: after ``timeout_s`` a waiter goes ahead and SQLite's own locking decides.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import await_only, in_greenlet

log = logging.getLogger(__name__)

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")
_HELD = "edu_clusters_sqlite_writer_lock"


def starts_with_write(statement: str) -> bool:
    """Whether ``statement`` is one at which Python's sqlite3 opens a write transaction (see above)."""
    return statement.lstrip()[:6].upper().startswith(_WRITES)


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _lock_for(path: str) -> asyncio.Lock:
    per_loop = _locks.setdefault(asyncio.get_running_loop(), {})
    lock = per_loop.get(path)
    if lock is None:
        lock = per_loop[path] = asyncio.Lock()
    return lock


async def _acquire(lock: asyncio.Lock, timeout_s: float) -> bool:
    if not lock.locked():
        return await lock.acquire()
    try:
        await asyncio.wait_for(lock.acquire(), timeout_s)
    except TimeoutError:
        log.warning("an SQLite writer waited %.0f s for the write queue; going ahead", timeout_s)
        return False
    return True


def queue_writers(engine: AsyncEngine, path: str, *, timeout_s: float) -> None:
    """Make ``engine``'s connections to the SQLite file ``path`` queue for writing (see the module)."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def before_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if _HELD in info or not in_greenlet():
            return
        if not starts_with_write(statement):
            return
        lock = _lock_for(path)
        if await_only(_acquire(lock, timeout_s)):
            info[_HELD] = lock

    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    @event.listens_for(pool, "close")
    def on_return(_dbapi_connection: Any, record: Any) -> None:
        _release(record)

    @event.listens_for(pool, "reset")
    def on_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        _release(record)

    @event.listens_for(pool, "invalidate")
    @event.listens_for(pool, "soft_invalidate")
    def on_invalidate(_dbapi_connection: Any, record: Any, _exception: Any) -> None:
        _release(record)


def _release(record: Any) -> None:
    lock = record.info.pop(_HELD, None) if record is not None else None
    if lock is not None and lock.locked():
        lock.release()
