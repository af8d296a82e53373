"""The SQLite driver that makes one trip to aiosqlite's thread per statement (``shared.db.sqlite_driver``):
on a real database file, what SQLAlchemy reads back of a statement is what the stock driver gives, a
failed write is rolled back for sure, streamed results still work, and what cannot wait on a lock runs on
the event loop's own thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from shared.db import create_engine
from shared.db.sqlite_driver import OneTripConnection, _runs_inline


async def test_rows_counts_and_ids_come_back_as_from_the_stock_driver(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.dbapi_connection, OneTripConnection)
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert (inserted.rowcount, inserted.lastrowid) == (1, 1)
            returned = await connection.execute(text("INSERT INTO t (v) VALUES ('b') RETURNING id"))
            assert returned.all() == [(2,)]
            await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "c"}, {"v": "d"}])
            updated = await connection.execute(text("UPDATE t SET v = v || 'x' WHERE id > 2"))
            assert updated.rowcount == 2
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
            assert rows == [(1, "a"), (2, "b"), (3, "cx"), (4, "dx")]
            streamed = await connection.stream(text("SELECT v FROM t ORDER BY id"))
            assert [row.v async for row in streamed] == ["a", "b", "cx", "dx"]
    finally:
        await engine.dispose()


async def test_a_failed_write_is_rolled_back_and_frees_the_database(tmp_path: Path) -> None:
    database = tmp_path / "two.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    other = create_engine(f"sqlite+aiosqlite:///{database}")  # another process's engine, in effect
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))

        async def two_writes_the_second_refused() -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
                await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))

        with pytest.raises(IntegrityError):
            await two_writes_the_second_refused()
        async with other.begin() as connection:  # the write lock was given back
            await connection.execute(text("INSERT INTO t (v) VALUES ('c')"))
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
            assert rows == ["a", "c"]  # 'b' went with the failed transaction
            raw = await connection.get_raw_connection()
            assert isinstance(raw.dbapi_connection, OneTripConnection)
            assert raw.dbapi_connection.in_transaction is False  # a read opens none: nothing to send
    finally:
        await engine.dispose()
        await other.dispose()


async def test_what_cannot_wait_on_a_lock_runs_on_the_loop_and_the_rest_on_the_connections_thread(
    tmp_path: Path,
) -> None:
    """A read, and a write once the transaction holds the write lock, run on the event loop's thread; the
    first write (it may wait for another process's lock) and the commit go to the connection's thread."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'three.db'}")
    threads: list[tuple[str, str]] = []

    @event.listens_for(engine.sync_engine, "connect")
    def record_threads(dbapi_connection: Any, _record: Any) -> None:
        raw: sqlite3.Connection = dbapi_connection._connection._conn
        raw.create_function(
            "where_am_i", 1, lambda verb: threads.append((verb, threading.current_thread().name)) or 0
        )

    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"))
        threads.clear()
        async with engine.begin() as connection:
            await connection.execute(text("SELECT where_am_i('read before')"))
            await connection.execute(text("INSERT INTO t (v) VALUES (where_am_i('first write'))"))
            await connection.execute(text("INSERT INTO t (v) VALUES (where_am_i('second write'))"))
            await connection.execute(text("SELECT where_am_i('read inside')"))
        loop_thread = threading.current_thread().name
        assert threads == [
            ("read before", loop_thread),
            ("first write", threads[1][1]),
            ("second write", loop_thread),
            ("read inside", loop_thread),
        ]
        assert threads[1][1] != loop_thread  # aiosqlite's thread for the connection
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 2
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("statement", "in_transaction", "inline"),
    [
        ("SELECT 1", False, True),
        ("  with x as (select 1) select * from x", False, True),
        ("INSERT INTO t VALUES (1)", False, False),
        ("INSERT INTO t VALUES (1)", True, True),
        ("update t set v = 1", True, True),
        ("DELETE FROM t", False, False),
        ("CREATE TABLE u (id INTEGER)", True, False),
        ("PRAGMA journal_mode=WAL", False, False),
    ],
)
def test_the_inline_rule(statement: str, in_transaction: bool, inline: bool) -> None:
    assert _runs_inline(statement, in_transaction) is inline
