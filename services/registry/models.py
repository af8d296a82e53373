"""The registry's tables and the shapes its API reads and writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.db.messaging_tables import utc_now


class RegistryTable(SQLModel, registry=registry()):
    """Base of the registry's own tables; its metadata is the registry's schema."""


class ClusterBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    office_host_unit: str = Field(min_length=1, max_length=300)
    active: bool = True


class Cluster(ClusterBase, RegistryTable, table=True):
    __tablename__ = "clusters"

    cluster_no: int = Field(primary_key=True, ge=1, le=99)
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ClusterCreate(ClusterBase):
    cluster_no: int = Field(ge=1, le=99)


class ClusterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = PydanticField(default=None, min_length=1, max_length=200)
    office_host_unit: str | None = PydanticField(default=None, min_length=1, max_length=300)
    active: bool | None = None


class ClusterPublic(ClusterBase):
    cluster_no: int
    version: int
    updated_at: datetime


REGISTRY_METADATA = RegistryTable.metadata
