"""The registry's tables and the shapes its API reads and writes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.db.messaging_tables import utc_now


class CommuneKind(StrEnum):
    COMMUNE = "commune"  # xã
    WARD = "ward"  # phường


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


class OldDistrict(RegistryTable, table=True):
    """A district-level unit abolished in July 2025; communes keep the link for history and statistics."""

    __tablename__ = "old_districts"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=200)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no")
    note: str | None = Field(default=None, max_length=300)


class OldDistrictPublic(SQLModel):
    gso_code: str
    name: str
    cluster_no: int | None
    note: str | None


class CommuneBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: CommuneKind
    population: int | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    people_committee_seat: str | None = Field(default=None, max_length=300)
    culture_office_email: str | None = Field(default=None, max_length=200)
    culture_office_phone: str | None = Field(default=None, max_length=50)


class Commune(CommuneBase, RegistryTable, table=True):
    """A commune or ward; ``cluster_no`` is its current cluster (None: directed by the Department)."""

    __tablename__ = "communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    old_district_code: str = Field(foreign_key="old_districts.gso_code", index=True)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no", index=True)
    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class CommunePublic(CommuneBase):
    gso_code: str
    old_district_code: str
    cluster_no: int | None
    version: int
    updated_at: datetime


class CommuneMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster_no: int | None = PydanticField(ge=1, le=99, description="The new cluster; null: the Department")
    effective_from: date = PydanticField(description="From this day incidents there route to the new cluster")


class CommuneAssignmentPublic(SQLModel):
    cluster_no: int | None
    valid_from: date
    valid_to: date | None


class CommuneAssignment(RegistryTable, table=True):
    """Which cluster a commune belonged to and when: the Department moves communes, history must show it."""

    __tablename__ = "commune_assignments"

    id: int | None = Field(default=None, primary_key=True)
    commune_code: str = Field(foreign_key="communes.gso_code", index=True)
    cluster_no: int | None = Field(default=None, foreign_key="clusters.cluster_no")
    valid_from: date
    valid_to: date | None = None


REGISTRY_METADATA = RegistryTable.metadata
