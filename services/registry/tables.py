"""The base of the registry's tables: a SQLAlchemy registry of their own, so its metadata is the schema."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db import UTCDateTime


class RegistryTable(SQLModel, registry=registry()):
    """Base of the registry's own tables."""


class VersionedColumns(SQLModel):
    """The version and time every published entity carries (see domain.versioning)."""

    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


REGISTRY_METADATA = RegistryTable.metadata
