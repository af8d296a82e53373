"""Apply-if-newer and tombstones: the two writes a replica ever makes.

The relay may publish a state twice and a retried publish may deliver an older state after a newer one;
the registry's ``version`` decides, so the replica never steps back.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import inspect
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.registry import is_newer


def primary_key_of(table: type[SQLModel], key: str) -> Any:
    """A message key (always text) as the table's one-column primary key (an integer for clusters)."""
    column = inspect(table).primary_key[0]
    if column.type.python_type is int:
        return int(key)
    return key


async def apply_state(session: AsyncSession, table: type[SQLModel], state: BaseModel) -> bool:
    """Store ``state``'s fields that ``table`` has, unless the row holds the same or a newer version.

    Returns whether the state was applied, so a hook reacts only to what changed.
    """
    row = table(**state.model_dump(include=set(table.model_fields)))
    key = inspect(table).primary_key_from_instance(row)
    stored = await session.get(table, key)
    if not is_newer(getattr(row, "version"), getattr(stored, "version", None)):  # noqa: B009 - any table
        return False
    await session.merge(row)
    return True


async def remove_entity(session: AsyncSession, table: type[SQLModel], key: str) -> bool:
    """A tombstone: the registry deleted the entity. Returns whether a row was there to remove."""
    stored = await session.get(table, primary_key_of(table, key))
    if stored is None:
        return False
    await session.delete(stored)
    return True
