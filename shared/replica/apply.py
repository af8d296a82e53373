"""Apply-if-newer and tombstones: the two writes a replica ever makes.

The relay may publish a state twice and a retried publish may deliver an older state after a newer one;
the registry's ``version`` decides, so the replica never steps back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy import inspect
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.events.registry import is_newer


def primary_key_of(table: type[SQLModel], key: str) -> Any:
    """A message key (always text) as the table's one-column primary key (an integer for clusters)."""
    column = inspect(table).primary_key[0]
    if column.type.python_type is int:
        return int(key)
    return key


_ABSENT = "edu_clusters.replica_absent"
"""``session.info`` key: per table, the keys ``preload`` found missing (so nobody looks them up again)."""


async def preload(session: AsyncSession, table: type[SQLModel], keys: Iterable[str]) -> None:
    """Load the stored rows of ``keys`` (message keys) in one query, and note which are missing: the
    ``apply_state`` and ``remove_entity`` calls of a batch then find them without a query each."""
    wanted = {primary_key_of(table, key) for key in keys}
    if not wanted:
        return
    column = inspect(table).primary_key[0]
    found = (await session.exec(select(table).where(col(column).in_(wanted)))).all()
    present = {getattr(row, column.key) for row in found}
    session.info.setdefault(_ABSENT, {}).setdefault(table, set()).update(wanted - present)


async def _stored(session: AsyncSession, table: type[SQLModel], key: Any) -> Any:
    absent: set[Any] | None = session.info.get(_ABSENT, {}).get(table)
    if absent is not None and key in absent:
        absent.discard(key)  # whatever is written now is there to be found, by a query
        return None
    return await session.get(table, key)


async def apply_state(session: AsyncSession, table: type[SQLModel], state: BaseModel) -> bool:
    """Store ``state``'s fields that ``table`` has, unless the row holds the same or a newer version.

    Returns whether the state was applied, so a hook reacts only to what changed.
    """
    fields = set(table.model_fields)
    row = table(**state.model_dump(include=fields))
    (key,) = inspect(table).primary_key_from_instance(row)
    stored = await _stored(session, table, key)
    if not is_newer(getattr(row, "version"), getattr(stored, "version", None)):  # noqa: B009 - any table
        return False
    if stored is None:
        session.add(row)
    else:  # what merge would do, without looking the row up again
        for name in fields:
            setattr(stored, name, getattr(row, name))
    return True


async def remove_entity(session: AsyncSession, table: type[SQLModel], key: str) -> bool:
    """A tombstone: the registry deleted the entity. Returns whether a row was there to remove."""
    stored = await _stored(session, table, primary_key_of(table, key))
    if stored is None:
        return False
    await session.delete(stored)
    return True
