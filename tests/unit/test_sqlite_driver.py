"""The SQLite driver that makes one trip to aiosqlite's thread per statement (``shared.db.sqlite_driver``):
on a real database file, what SQLAlchemy reads back of a statement is what the stock driver gives, a
failed write is rolled back for sure, and streamed results still work."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shared.db import create_engine
from shared.db.sqlite_driver import OneTripConnection


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
