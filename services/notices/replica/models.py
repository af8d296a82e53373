"""The registry replica's tables: what resolving an audience, scoping a caller and reporting need.

Written only by the registry-replica consumer (``replica.handlers``), which copies a state's fields by name:
a column here is named as the field of the registry's state event. Each row keeps the registry's
``version`` (``VersionedRow``) so an older state delivered late never overwrites a newer one.
"""

from __future__ import annotations

from sqlmodel import Field

from services.notices.tables import NoticesTable
from shared.replica import VersionedRow
from shared.replica.people import MembershipColumns, StaffColumns


class ClusterReplica(NoticesTable, VersionedRow, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    active: bool = True
    leader_staff_code: str | None = None


class CommuneReplica(NoticesTable, VersionedRow, table=True):
    """A commune, with whether its People's Committee and its Office of Culture and Social Affairs can be
    written to."""

    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = Field(default=None, index=True)
    people_committee_email: str | None = None
    culture_office_email: str | None = None


class SchoolReplica(NoticesTable, VersionedRow, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    level: str = Field(index=True)
    commune_code: str = Field(index=True)
    cluster_no: int | None = Field(default=None, index=True)
    status: str = "active"
    principal_staff_code: str | None = None


class StaffReplica(NoticesTable, StaffColumns, table=True):
    """A person, with the columns every service that acts for people mirrors (``StaffColumns``)."""

    __tablename__ = "replica_staff"

    code: str = Field(primary_key=True, max_length=40)


class MembershipReplica(NoticesTable, MembershipColumns, table=True):
    """One period of a person's cluster membership; rewritten whenever the person's state changes."""

    __tablename__ = "replica_memberships"

    id: int | None = Field(default=None, primary_key=True)
