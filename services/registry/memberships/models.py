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
