"""Cluster and membership tables, and the shapes the cluster API reads and writes.

The membership table is here, below staff, because a person's published state lists their memberships;
appointing and ending them (memberships/) needs staff, so it sits above.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field as PydanticField
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.registry.tables import RegistryTable, VersionedColumns
from shared.validation import SingleLine, single_line
from shared.web.patch import PatchModel


class ClusterBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    office_host_unit: str = Field(min_length=1, max_length=300)
    active: bool = True


class Cluster(ClusterBase, VersionedColumns, RegistryTable, table=True):
    __tablename__ = "clusters"

    cluster_no: int = Field(primary_key=True, ge=1, le=99)
    leader_staff_code: str | None = Field(default=None, max_length=40, description="Kept by memberships")


class ClusterCreate(ClusterBase):
    cluster_no: int = Field(ge=1, le=99)

    _one_line = field_validator("name", "office_host_unit")(single_line)


class ClusterUpdate(PatchModel):
    name: SingleLine | None = PydanticField(default=None, min_length=1, max_length=200)
    office_host_unit: SingleLine | None = PydanticField(default=None, min_length=1, max_length=300)
    active: bool | None = None


class ClusterPublic(ClusterBase, VersionedColumns):
    cluster_no: int
    leader_staff_code: str | None


class MembershipRole(StrEnum):
    LEADER = "leader"  # a Department civil servant
    MEMBER = "member"  # a Department official
    UNIT_REPRESENTATIVE = "unit_representative"  # a representative of a unit in the cluster


class ClusterMembership(RegistryTable, table=True):
    """A person's period in a cluster; ending one closes it, so the history shows who led when."""

    __tablename__ = "cluster_memberships"

    id: int | None = Field(default=None, primary_key=True)
    cluster_no: int = Field(foreign_key="clusters.cluster_no", index=True)
    staff_code: str = Field(foreign_key="staff.code", index=True)
    role: MembershipRole
    valid_from: date
    valid_to: date | None = None
