"""The shape of a cluster's summary."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import SQLModel

from services.registry.clusters.models import ClusterPublic
from services.registry.memberships.models import MembershipPublic


class CommuneBrief(SQLModel):
    gso_code: str
    name: str


class ClusterSummary(BaseModel):
    """One page about a cluster: what it covers and who runs it."""

    cluster: ClusterPublic
    communes: list[CommuneBrief]
    schools_by_level: dict[str, int] = PydanticField(description="Active schools per level")
    schools_total: int
    staff_total: int = PydanticField(description="Active staff working in the cluster's schools")
    leader: MembershipPublic | None
    members: list[MembershipPublic] = PydanticField(description="Current members, the leader included")
