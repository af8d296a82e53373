"""Every service's Alembic history, on SQLite and on PostgreSQL: head is the schema of the code, the
newest revision keeps the rows a database already holds, and it can be undone.

Generic over the services: every folder under ``services/`` is checked the same way, from its own
``migrations/``, its own metadata (``services.<svc>.tables.<SVC>_METADATA``, completed by importing the
service's ``app``) and the outbox and inbox beside it (``MESSAGING_METADATA``). A service without
``migrations/versions`` yet is skipped (the shape test says it is missing).
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from pprint import pformat
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData

from shared.db import create_engine
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import alembic_config

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = REPO_ROOT / "services"
SERVICES = sorted(
    path.name for path in SERVICES_DIR.iterdir() if path.is_dir() and not path.name.startswith(("_", "."))
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

T = TypeVar("T")
VERSION_TABLE = "alembic_version"
MOMENT = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)

# Rows the code itself would write, for the tables every service has; every other table gets a row made
# from its columns' types (sample_value).
KNOWN_ROWS: dict[str, dict[str, Any]] = {
    "outbox": {
        "id": 1,
        "event_id": "00000000-0000-4000-8000-000000000001",
        "event_type": "vn.gov.nghean.edu.migrations.checked.v1",
        "source": "/edu-clusters/migrations-test",
        "subject": "row-before-the-migration",
        "topic": "migrations.test",
        "message_key": "row-before-the-migration",
        "payload": '{"kept": true}',
        "traceparent": None,
        "occurred_at": MOMENT,
        "created_at": MOMENT,
        "published_at": None,
        "publish_attempts": 2,
        "last_error": "the broker was away",
    },
    "inbox": {
        "consumer_group": "migrations-test",
        "event_id": "00000000-0000-4000-8000-000000000002",
        "event_type": "vn.gov.nghean.edu.migrations.checked.v1",
        "topic": "migrations.test",
        "partition": 1,
        "offset": 42,
        "processed_at": MOMENT,
    },
}


@dataclass(frozen=True)
class History:
    """One service's migrations: where they are, the newest revision and the one before it."""

    service: str
    location: Path
    head: str
    previous: str | None  # None: the newest revision is the first

    def config(self, url: str) -> Config:
        return alembic_config(self.location, url)

    def metadatas(self) -> list[MetaData]:
        importlib.import_module(f"services.{self.service}.app")  # imports every concept: the whole metadata
        tables = importlib.import_module(f"services.{self.service}.tables")
        return [MESSAGING_METADATA, getattr(tables, f"{self.service.upper()}_METADATA")]


@pytest.fixture(params=SERVICES)
def history(request: pytest.FixtureRequest) -> History:
    service = str(request.param)
    location = SERVICES_DIR / service / "migrations"
    if not (location / "versions").is_dir():
        pytest.skip(f"services/{service}/migrations/versions does not exist yet")
    script = ScriptDirectory(str(location))
    heads = script.get_heads()
    assert len(heads) == 1, f"services/{service}'s migrations have {len(heads)} heads: {heads}"
    revision = script.get_revision(heads[0])
    assert revision is not None
    previous = revision.down_revision
    if isinstance(previous, tuple | list):
        pytest.skip(f"services/{service}'s newest revision merges {previous}: no single revision before it")
    return History(service, location, heads[0], previous)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
    return str(request.getfixturevalue("postgres_database_url"))


async def test_an_empty_database_upgrades_to_the_schema_of_the_code(
    history: History, database_url: str
) -> None:
    await alembic(command.upgrade, history, database_url, "head")
    assert await on_database(database_url, current_revision) == history.head
    differences = await on_database(database_url, differences_from(history.metadatas()))
    assert not differences, (
        f"services/{history.service}'s migrations at head ({history.head}) differ from its tables in the "
        f"code; a revision is missing or wrong:\n{pformat(differences)}"
    )


async def test_the_newest_revision_keeps_the_rows_a_database_holds(
    history: History, database_url: str
) -> None:
    if history.previous is None:
        pytest.skip(f"services/{history.service} has one revision: there is no database before it")
    await alembic(command.upgrade, history, database_url, history.previous)
    written = await on_database(database_url, write_a_row_in_every_table)
    assert {"outbox", "inbox"} <= set(written)
    before = await on_database(database_url, rows_of_every_table)

    await alembic(command.upgrade, history, database_url, "head")

    after = await on_database(database_url, rows_of_every_table)
    lost = {
        table: {"before": rows, "after": after[table]}
        for table, rows in before.items()
        if table in after and not same_rows(rows, after[table])
    }
    assert not lost, (
        f"services/{history.service}'s revision {history.head} changed or lost rows:\n{pformat(lost)}"
    )
    # And the code reads what was there, in its own types.
    outbox = MESSAGING_METADATA.tables["outbox"]
    row = (await on_database(database_url, lambda c: [*c.execute(sa.select(outbox)).mappings()]))[0]
    assert (row["event_id"], row["occurred_at"], row["published_at"]) == (
        KNOWN_ROWS["outbox"]["event_id"],
        MOMENT,
        None,
    )


async def test_the_newest_revision_can_be_undone(history: History, database_url: str) -> None:
    if history.previous is not None:
        await alembic(command.upgrade, history, database_url, history.previous)
    before = await on_database(database_url, schema_of)

    await alembic(command.upgrade, history, database_url, "head")
    await alembic(command.downgrade, history, database_url, "-1")

    assert await on_database(database_url, current_revision) == history.previous
    after = await on_database(database_url, schema_of)
    assert after == before, (
        f"downgrading services/{history.service}'s revision {history.head} does not give back the schema "
        f"of {history.previous or 'an empty database'}:\n{pformat(schema_changes(before, after))}"
    )
    # Undone cleanly enough to be done again (PostgreSQL's enum types included).
    await alembic(command.upgrade, history, database_url, "head")
    assert not await on_database(database_url, differences_from(history.metadatas()))


async def alembic(action: Callable[[Config, str], None], history: History, url: str, revision: str) -> None:
    """Run an Alembic command as the operator does; its env.py runs its own event loop, so in a thread."""
    await asyncio.to_thread(action, history.config(url), revision)


async def on_database(url: str, work: Callable[[Connection], T]) -> T:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def differences_from(metadatas: list[MetaData]) -> Callable[[Connection], list[Any]]:
    """What autogenerate would write to go from the database to the code's tables (env.py's options)."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadatas))  # type: ignore[arg-type]

    return compare


def schema_of(connection: Connection) -> dict[str, Any]:
    """The schema as the database reports it: tables, columns, keys, indexes (and PostgreSQL's enums)."""
    inspector = sa.inspect(connection)
    tables = {}
    for name in sorted(set(inspector.get_table_names()) - {VERSION_TABLE}):
        tables[name] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)
            ),
            "primary key": sorted(inspector.get_pk_constraint(name)["constrained_columns"]),
            "foreign keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                (str(ix["name"]), tuple(str(c) for c in ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(name)
            ),
            "unique constraints": sorted(
                tuple(str(c) for c in unique["column_names"])
                for unique in inspector.get_unique_constraints(name)
            ),
        }
    get_enums = getattr(inspector, "get_enums", None)
    enums = sorted(str(enum["name"]) for enum in get_enums()) if get_enums else []
    return {"tables": tables, "enum types": enums}


def schema_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only what differs between two schema_of: the tables that changed, and the enum types."""
    changes: dict[str, Any] = {
        f"table {name}": {"before": before["tables"].get(name), "after": after["tables"].get(name)}
        for name in sorted(set(before["tables"]) | set(after["tables"]))
        if before["tables"].get(name) != after["tables"].get(name)
    }
    if before["enum types"] != after["enum types"]:
        changes["enum types"] = {"before": before["enum types"], "after": after["enum types"]}
    return changes


def write_a_row_in_every_table(connection: Connection) -> dict[str, dict[str, Any]]:
    """One row in each table there is, parents before children, each foreign key pointing at its parent's."""
    metadata = MetaData()
    metadata.reflect(connection)
    written: dict[str, dict[str, Any]] = {}
    for table in metadata.sorted_tables:
        if table.name == VERSION_TABLE:
            continue
        row = {column.name: value_for(column, written) for column in table.columns}
        connection.execute(table.insert(), [row])
        written[table.name] = row
    return written


def value_for(column: sa.Column[Any], written: dict[str, dict[str, Any]]) -> Any:
    table = column.table.name
    if column.name in KNOWN_ROWS.get(table, {}):
        return KNOWN_ROWS[table][column.name]
    for foreign_key in column.foreign_keys:
        parent = written.get(foreign_key.column.table.name)
        if parent is not None:
            return parent[foreign_key.column.name]
        if column.nullable:
            return None
        raise AssertionError(f"{table}.{column.name} refers to a table without a row yet")
    value = sample_value(column.type, f"{table}.{column.name}")
    if value is None and not column.nullable:
        raise AssertionError(
            f"no sample value for {table}.{column.name} ({column.type!r}): teach sample_value or KNOWN_ROWS"
        )
    return value


def sample_value(type_: sa.types.TypeEngine[Any], label: str) -> Any:
    """A value of the column's type, as the database reports the type (an enum only on PostgreSQL)."""
    if isinstance(type_, sa.Enum):
        return type_.enums[0]
    if isinstance(type_, sa.Boolean):
        return True
    if isinstance(type_, sa.Integer):
        return 7
    if isinstance(type_, sa.Float):
        return 1.5
    if isinstance(type_, sa.Numeric):
        return Decimal("1.5")
    if isinstance(type_, sa.DateTime):
        return MOMENT if type_.timezone else MOMENT.replace(tzinfo=None)
    if isinstance(type_, sa.Date):
        return date(2026, 1, 2)
    if isinstance(type_, sa.Time):
        return time(3, 4, 5)
    if isinstance(type_, sa.JSON):
        return {"sample": label}
    if isinstance(type_, sa.Uuid):
        return uuid.UUID(int=7)
    if isinstance(type_, sa.LargeBinary):
        return label.encode()
    if isinstance(type_, sa.String):
        return label[: type_.length] if type_.length else label
    return None


def rows_of_every_table(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        table.name: [dict(row) for row in connection.execute(sa.select(table)).mappings()]
        for table in metadata.sorted_tables
        if table.name != VERSION_TABLE
    }


def same_rows(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> bool:
    """The same rows, in the columns both have (a revision may add or drop columns)."""
    if len(before) != len(after):
        return False
    common = set(before[0]) & set(after[0]) if before else set()
    key = sorted(common)

    def project(rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
        return sorted(tuple(repr(row[name]) for name in key) for row in rows)

    return project(before) == project(after)
