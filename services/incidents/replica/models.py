"""The registry replica: the clusters, communes and schools incidents are routed by, and the people (staff
with their cluster memberships) whose scope a signed-in caller takes on every request.

Written only by the ``incidents.registry-replica`` consumer group, from the registry's compacted topics;
``VersionedRow`` keeps the registry's version so an older state delivered late never overwrites a newer one.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from services.incidents.tables import IncidentsTable
from shared.db import UTCDateTime
from shared.replica import VersionedRow
from shared.replica.people import MembershipColumns, StaffColumns


class ReplicaCluster(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    active: bool
    leader_staff_code: str | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaCommune(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = None
    culture_office_email: str | None = None
    """With the phone, whether the commune's Office of Culture and Social Affairs can be reached."""
    culture_office_phone: str | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaSchool(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    commune_code: str = Field(max_length=10, index=True)
    cluster_no: int | None = None
    status: str = Field(max_length=20)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaStaff(IncidentsTable, StaffColumns, table=True):
    """A person, with the columns every service that acts for people mirrors (``StaffColumns``)."""

    __tablename__ = "replica_staff"

    code: str = Field(primary_key=True, max_length=40)


class ReplicaMembership(IncidentsTable, MembershipColumns, table=True):
    """One period of a person's cluster membership; rewritten whenever the person's state changes."""

    __tablename__ = "replica_memberships"

    id: int | None = Field(default=None, primary_key=True)
