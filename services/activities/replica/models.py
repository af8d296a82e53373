"""The registry replica's tables: only the fields eligibility, scoping and routing need, and the people
(staff with their cluster memberships) whose scope a signed-in caller takes on every request.

Written only by the registry-replica consumer (``replica.handlers``), which copies a state's fields by name:
a column here is named as the field of the registry's state event. Each row keeps the registry's
``version`` (``VersionedRow``) so an older state delivered late never overwrites a newer one.
"""

from __future__ import annotations

from sqlmodel import Field

from services.activities.tables import ActivitiesTable
from shared.replica import VersionedRow
from shared.replica.people import MembershipColumns, StaffColumns


class ClusterReplica(ActivitiesTable, VersionedRow, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    active: bool = True
    leader_staff_code: str | None = None


class CommuneReplica(ActivitiesTable, VersionedRow, table=True):
    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = Field(default=None, index=True)


class SchoolReplica(ActivitiesTable, VersionedRow, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    level: str
    commune_code: str
    cluster_no: int | None = Field(default=None, index=True)
    status: str = "active"
    principal_staff_code: str | None = None


class StaffReplica(ActivitiesTable, StaffColumns, table=True):
    """A person, with the columns every service that acts for people mirrors (``StaffColumns``), and the
    subject a core teacher leads (eligibility)."""

    __tablename__ = "replica_staff"

    code: str = Field(primary_key=True, max_length=40)
    teaching_subject: str | None = None


class MembershipReplica(ActivitiesTable, MembershipColumns, table=True):
    """One period of a person's cluster membership; rewritten whenever the person's state changes."""

    __tablename__ = "replica_memberships"

    id: int | None = Field(default=None, primary_key=True)
