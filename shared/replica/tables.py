"""The column every replica row keeps: the registry's version of the state it holds."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class VersionedRow(SQLModel):
    """Mix into a service's replica table: ``class ReplicaSchool(MyTable, VersionedRow, table=True)``."""

    version: int = Field(description="The registry's version of this state; an older one never overwrites it")
