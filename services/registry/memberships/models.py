"""The shapes the membership API reads and writes (the table is ``clusters.models.ClusterMembership``)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import SQLModel

from services.registry.clusters.models import MembershipRole
from shared.dates import RecordDate


class MembershipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_code: str = PydanticField(min_length=1, max_length=40)
    role: MembershipRole
    valid_from: RecordDate = PydanticField(
        description="A new leader's first day ends the previous leader's period"
    )


IMPORT_COLUMNS = ["cluster_no", "staff_code", "role", "valid_from", "valid_to"]
"""A memberships file: one period per row, by cluster number and staff code."""


class MembershipRow(BaseModel):
    """One period of an import: a new one opens (a new leader ends the previous leader's period); one the
    registry has (same cluster, person and first day) may be given its last day."""

    model_config = ConfigDict(extra="forbid")

    cluster_no: int = PydanticField(ge=1, le=99)
    staff_code: str = PydanticField(min_length=1, max_length=40)
    role: MembershipRole
    valid_from: date = PydanticField(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    valid_to: date | None = PydanticField(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))

    @property
    def period_key(self) -> str:
        return period_key(self.cluster_no, self.staff_code, self.valid_from)


def period_key(cluster_no: int, staff_code: str, valid_from: date) -> str:
    return f"{cluster_no}/{staff_code}/{valid_from.isoformat()}"


class MembershipEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_to: RecordDate = PydanticField(description="The member's last day in the cluster")


class MembershipPublic(SQLModel):
    id: int
    cluster_no: int
    staff_code: str
    full_name: str
    role: MembershipRole
    valid_from: date
    valid_to: date | None
