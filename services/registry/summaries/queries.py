"""A cluster at a glance: its communes, its active schools by level, its staff, its leader and members."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from services.registry.clusters.models import MembershipRole
from services.registry.clusters.queries import get_cluster
from services.registry.communes.models import Commune
from services.registry.memberships.queries import list_members
from services.registry.schools.models import School, SchoolStatus
from services.registry.staff.models import Staff
from services.registry.summaries.models import ClusterSummary, CommuneBrief
from shared.db import UnitOfWork


async def summary(*, uow: UnitOfWork, cluster_no: int) -> ClusterSummary:
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    communes = (
        await uow.session.exec(
            select(Commune.gso_code, Commune.name)
            .where(Commune.cluster_no == cluster_no)
            .order_by(col(Commune.gso_code))
        )
    ).all()
    in_cluster = select(Commune.gso_code).where(Commune.cluster_no == cluster_no)
    by_level = (
        await uow.session.exec(
            select(School.level, func.count())
            .where(col(School.commune_code).in_(in_cluster), School.status == SchoolStatus.ACTIVE)
            .group_by(School.level)
        )
    ).all()
    staff_total = (
        await uow.session.exec(
            select(func.count())
            .select_from(Staff)
            .join(School, col(School.code) == col(Staff.school_code))
            .where(col(School.commune_code).in_(in_cluster), col(Staff.active))
        )
    ).one()
    members = await list_members(uow=uow, cluster_no=cluster_no, current_only=True)
    counts = {str(level): count for level, count in by_level}
    return ClusterSummary.model_validate(
        {
            "cluster": cluster,
            "communes": [CommuneBrief(gso_code=code, name=name) for code, name in communes],
            "schools_by_level": counts,
            "schools_total": sum(counts.values()),
            "staff_total": staff_total,
            "leader": next((member for member in members if member.role is MembershipRole.LEADER), None),
            "members": members,
        },
        from_attributes=True,
    )
