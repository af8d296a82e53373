"""Alembic, one way for every service: each keeps its own history in ``services/<svc>/migrations``.

Why this module: a service's ``migrations/env.py`` is one call to ``run_migrations``, whether Alembic
runs from the operator's command line (its own engine) or from the service's start-up (the start-up's
connection, handed over in ``config.attributes``). Start-up upgrades to head in development and tests,
and in production refuses a database that is not at head, naming the command that upgrades it, so a
deploy never changes a production schema by surprise.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, TypeDecorator, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import SchemaOutOfDate, create_engine


def alembic_config(script_location: Path, url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser interpolation
    return config


def run_migrations(*metadatas: MetaData) -> None:
    """The body of every service's ``env.py``: the tables are the service's and the outbox/inbox."""
    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, metadatas)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SchemaOutOfDate("no database URL: set DATABASE_URL or pass --url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=list(metadatas), literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_migrate_with_own_engine(create_engine(url), metadatas))


async def _migrate_with_own_engine(engine: AsyncEngine, metadatas: tuple[MetaData, ...]) -> None:
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, metadatas)
    finally:
        await engine.dispose()


def _migrate(connection: Connection, metadatas: tuple[MetaData, ...]) -> None:
    context.configure(
        connection=connection,
        target_metadata=list(metadatas),
        # SQLite alters a table by copying it: Alembic's batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(kind: str, item: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """A service's own column type is written into a revision as the type it stores, so a revision never
    imports service code that may move later (``shared.db.types`` stays where it is)."""
    if kind == "type" and isinstance(item, TypeDecorator) and not type(item).__module__.startswith("shared."):
        return f"sa.{type(item.impl).__name__}()"
    return False


def head_revision(script_location: Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


async def migrate_on_start(
    engine: AsyncEngine,
    script_location: Path,
    metadatas: tuple[MetaData, ...],
    *,
    may_upgrade: bool,
    upgrade_command: str,
) -> None:
    """Bring the database to head (``may_upgrade``), or refuse to start unless it is there already."""
    async with engine.begin() as connection:
        await connection.run_sync(
            _bring_to_head, script_location, metadatas, may_upgrade, upgrade_command, _shown(engine)
        )


def _shown(engine: AsyncEngine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _bring_to_head(
    connection: Connection,
    script_location: Path,
    metadatas: tuple[MetaData, ...],
    may_upgrade: bool,
    upgrade_command: str,
    where: str,
) -> None:
    current = MigrationContext.configure(connection).get_current_revision()
    head = head_revision(script_location)
    if current == head:
        return
    if current is None and _has_any_table(connection, metadatas):
        raise SchemaOutOfDate(
            f"the database at {where} was made before migrations existed and has no revision to upgrade "
            "from; for a local run start afresh (make run RUN_ARGS=--fresh deletes the local databases "
            "and topics)"
        )
    if not may_upgrade:
        raise SchemaOutOfDate(
            f"the database at {where} is at revision {current or 'none'} and this version needs {head}; "
            f"upgrade it first: {upgrade_command}"
        )
    config = alembic_config(script_location)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _has_any_table(connection: Connection, metadatas: tuple[MetaData, ...]) -> bool:
    present = set(inspect(connection).get_table_names())
    return any(table in present for metadata in metadatas for table in metadata.tables)
