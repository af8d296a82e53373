"""Async engines for the two databases we run on: SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db.sqlite_driver import one_trip_dbapi
from shared.db.sqlite_writer import queue_writers

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 15
SQLITE_POOL_OVERFLOW = 5


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine tuned for the URL's database.

    SQLite gets WAL (readers never block the writer), writers queued in-process (``sqlite_writer``) and a
    busy timeout for other processes instead of instant "database is locked" errors, and enforced foreign
    keys; its folder is created if missing.
    """
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.get_driver_name() == "aiosqlite":
            options["module"] = one_trip_dbapi()  # one trip to aiosqlite's thread per statement
            # Reads run on the loop's thread too (``sqlite_driver``); SQLite itself is serialized.
            options["connect_args"] = {"check_same_thread": False}
        if parsed.database and parsed.database != ":memory:":
            # Kept open rather than overflowing: an aiosqlite connection is a thread, its PRAGMAs and WAL
            # set-up; the default 5 (+10 closed again on return) opened one every few requests under load.
            options.update(pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW)
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _tune_sqlite_connection)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            path = str(Path(parsed.database).resolve())
            queue_writers(engine, path, timeout_s=SQLITE_BUSY_TIMEOUT_MS / 1000)
        return engine
    options.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    return create_async_engine(url, **options)


def _tune_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after the unit of work commits (responses, events).
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class SchemaOutOfDate(RuntimeError):
    """The database is not at the schema this code needs, and this start-up may not change it."""


async def create_schema(engine: AsyncEngine, *metadatas: MetaData) -> None:
    """Create missing tables that no migration owns (test probes, benchmark tables), then check columns.

    A service's own tables are made by its Alembic history (``shared.db.migrations``), never here.
    Without the check an old database fails later, at the first query, with "no such column".
    """
    async with engine.begin() as connection:
        for metadata in metadatas:
            await connection.run_sync(metadata.create_all)
        missing = await connection.run_sync(_missing_columns, metadatas)
    if missing:
        tables = "; ".join(f"{table}: {', '.join(columns)}" for table, columns in sorted(missing.items()))
        raise SchemaOutOfDate(
            f"the database at {engine.url.render_as_string(hide_password=True)} was made by an older version "
            f"and lacks columns ({tables}); migrate it, or for a local run start afresh "
            "(make run RUN_ARGS=--fresh deletes the local databases and topics)"
        )


def _missing_columns(connection: Connection, metadatas: tuple[MetaData, ...]) -> dict[str, list[str]]:
    inspector = inspect(connection)
    missing: dict[str, list[str]] = {}
    for metadata in metadatas:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            absent = [column.name for column in table.columns if column.name not in present]
            if absent:
                missing[table.name] = absent
    return missing


async def ping(engine: AsyncEngine) -> None:
    """Readiness check: raises if the database does not answer."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
