"""A database the code cannot use as it is is refused at start, naming what is wrong and what to run;
in development start-up brings it to the newest migration itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

import services.registry.app
from services.registry.tables import REGISTRY_METADATA
from shared.db import create_engine, create_schema
from shared.db.engine import SchemaOutOfDate
from shared.db.messaging_tables import MESSAGING_METADATA
from shared.db.migrations import alembic_config, head_revision, migrate_on_start

pytestmark = pytest.mark.asyncio(loop_scope="session")


def schools_table(*extra: Column[str]) -> MetaData:
    metadata = MetaData()
    Table("schools", metadata, Column("code", String, primary_key=True), Column("pupils", Integer), *extra)
    return metadata


async def test_a_table_missing_columns_is_refused_with_their_names(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("schema"))
    try:
        await create_schema(engine, schools_table())  # what an older version created
        await create_schema(engine, schools_table())  # the same version again: nothing to say
        expected = r"lacks columns \(schools: principal_name, phone\); migrate it"
        with pytest.raises(SchemaOutOfDate, match=expected):
            await create_schema(
                engine, schools_table(Column("principal_name", String), Column("phone", String))
            )
    finally:
        await engine.dispose()


REGISTRY_MIGRATIONS = Path(services.registry.app.__file__).parent / "migrations"
REGISTRY_TABLES = (MESSAGING_METADATA, REGISTRY_METADATA)
UPGRADE = "edu-clusters db upgrade registry"


async def _revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def test_start_up_upgrades_an_empty_database_to_head_once(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("fresh"))
    try:
        for _ in range(2):  # the second start finds the database at head and changes nothing
            await migrate_on_start(
                engine, REGISTRY_MIGRATIONS, REGISTRY_TABLES, may_upgrade=True, upgrade_command=UPGRADE
            )
            assert await _revision(engine) == head_revision(REGISTRY_MIGRATIONS)
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert {"outbox", "inbox", "schools", "staff", "communes"} <= tables
    finally:
        await engine.dispose()


async def test_production_refuses_a_database_behind_head_naming_the_command(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("behind"))
    try:
        # The operator's command runs its own event loop, so here it runs in a thread.
        config = alembic_config(REGISTRY_MIGRATIONS, engine.url.render_as_string(hide_password=False))
        await asyncio.to_thread(command.upgrade, config, "0001")
        with pytest.raises(
            SchemaOutOfDate, match=r"is at revision 0001 .* upgrade it first: edu-clusters db"
        ):
            await migrate_on_start(
                engine, REGISTRY_MIGRATIONS, REGISTRY_TABLES, may_upgrade=False, upgrade_command=UPGRADE
            )
        assert await _revision(engine) == "0001"  # nothing was changed
    finally:
        await engine.dispose()


async def test_a_database_made_before_migrations_is_refused_not_overwritten(
    new_database_url: Callable[[str], str],
) -> None:
    engine = create_engine(new_database_url("premigrations"))
    try:
        await create_schema(engine, MESSAGING_METADATA)  # what create_all made before there were migrations
        with pytest.raises(SchemaOutOfDate, match="made before migrations existed"):
            await migrate_on_start(
                engine, REGISTRY_MIGRATIONS, REGISTRY_TABLES, may_upgrade=True, upgrade_command=UPGRADE
            )
    finally:
        await engine.dispose()
