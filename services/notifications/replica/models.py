"""The registry replica's tables: only what resolving a role in a scope to people and addresses needs.

Written only by the registry-replica consumer (``handlers``); each row keeps the registry's ``version``
(``VersionedRow``) so an older state delivered late never overwrites a newer one.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from shared.db import UTCDateTime
from shared.replica import VersionedRow
from shared.replica.people import MembershipColumns, StaffColumns


class ClusterReplica(NotificationsTable, VersionedRow, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    office_host_unit: str
    active: bool
    leader_staff_code: str | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ClusterReplicaPublic(SQLModel):
    cluster_no: int
    name: str
    office_host_unit: str
    active: bool
    leader_staff_code: str | None
    version: int
    updated_at: datetime


class CommuneReplica(NotificationsTable, VersionedRow, table=True):
    """A commune with the contacts of its Office of Culture and Social Affairs and People's Committee."""

    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = Field(default=None, index=True)
    people_committee_head: str | None = None
    people_committee_email: str | None = None
    people_committee_phone: str | None = None
    culture_office_head: str | None = None
    culture_office_email: str | None = None
    culture_office_phone: str | None = None


class SchoolReplica(NotificationsTable, VersionedRow, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    level: str
    commune_code: str = Field(index=True)
    cluster_no: int | None = Field(default=None, index=True)
    status: str = "active"
    principal_staff_code: str | None = None
    principal_name: str | None = None
    email: str | None = None
    phone: str | None = None


class StaffReplica(NotificationsTable, StaffColumns, table=True):
    """A person, with the columns every service that acts for people mirrors (``StaffColumns``)."""

    __tablename__ = "replica_staff"

    code: str = Field(primary_key=True, max_length=40)


class MembershipReplica(NotificationsTable, MembershipColumns, table=True):
    """One period of a person's cluster membership; rewritten whenever the person's state changes."""

    __tablename__ = "replica_memberships"

    id: int | None = Field(default=None, primary_key=True)


class OfficeReplica(NotificationsTable, VersionedRow, table=True):
    """A Department office or the province-level recipient, with its duty contact's addresses."""

    __tablename__ = "replica_offices"

    code: str = Field(primary_key=True, max_length=40)
    name: str
    kind: str = Field(index=True)
    duty_contact: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool = True
