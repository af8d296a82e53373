"""Who leads a cluster and who belongs to it, now or over time."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.clusters.models import ClusterMembership
from services.registry.clusters.queries import get_cluster
from services.registry.memberships.models import MembershipPublic
from services.registry.staff.models import Staff
from shared.db import UnitOfWork


async def list_members(*, uow: UnitOfWork, cluster_no: int, current_only: bool) -> list[MembershipPublic]:
    await get_cluster(uow=uow, cluster_no=cluster_no)
    query = (
        select(ClusterMembership, Staff.full_name)
        .join(Staff, col(Staff.code) == col(ClusterMembership.staff_code))
        .where(ClusterMembership.cluster_no == cluster_no)
        .order_by(col(ClusterMembership.valid_from), col(ClusterMembership.id))
    )
    if current_only:
        query = query.where(col(ClusterMembership.valid_to).is_(None))
    return [member_public(member, name) for member, name in (await uow.session.exec(query)).all()]


async def current_memberships(uow: UnitOfWork, cluster_no: int) -> Sequence[ClusterMembership]:
    query = select(ClusterMembership).where(
        ClusterMembership.cluster_no == cluster_no, col(ClusterMembership.valid_to).is_(None)
    )
    return (await uow.session.exec(query)).all()


def member_public(membership: ClusterMembership, full_name: str) -> MembershipPublic:
    return MembershipPublic.model_validate({**membership.model_dump(), "full_name": full_name})


async def all_periods(*, uow: UnitOfWork, current_only: bool) -> Sequence[ClusterMembership]:
    """Every cluster's periods, by cluster and first day (an export of them imports back unchanged)."""
    query = select(ClusterMembership).order_by(
        col(ClusterMembership.cluster_no), col(ClusterMembership.valid_from), col(ClusterMembership.id)
    )
    if current_only:
        query = query.where(col(ClusterMembership.valid_to).is_(None))
    return (await uow.session.exec(query)).all()
