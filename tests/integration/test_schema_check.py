"""A database made by an older version of the code is refused at start, naming what it lacks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from shared.db import create_engine, create_schema
from shared.db.engine import SchemaOutOfDate

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
