"""Cluster use cases: read and change clusters, their leader and members, and a cluster's summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from services.registry.clusters.models import (
    Cluster,
    ClusterCreate,
    ClusterMembership,
    ClusterSummary,
    ClusterUpdate,
    CommuneBrief,
    MembershipCreate,
    MembershipEnd,
    MembershipPublic,
    MembershipRole,
)
from services.registry.communes.models import Commune
from services.registry.domain.assignments import close_period
from services.registry.domain.states import full_state
from services.registry.domain.versioning import apply_changes
from services.registry.schools.models import School, SchoolStatus
from services.registry.staff import service as staff_service
from services.registry.staff.models import Staff
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import ClusterStateV1


def record_cluster(uow: UnitOfWork, cluster: Cluster) -> None:
    uow.record(full_state(ClusterStateV1, cluster))


async def list_clusters(*, uow: UnitOfWork) -> Sequence[Cluster]:
    return (await uow.session.exec(select(Cluster).order_by(col(Cluster.cluster_no)))).all()


async def get_cluster(*, uow: UnitOfWork, cluster_no: int, field: str = "cluster_no") -> Cluster:
    cluster = await uow.session.get(Cluster, cluster_no)
    if cluster is None:
        raise NotFound(f"cluster {cluster_no} does not exist", field=field)
    return cluster


async def create_cluster(*, uow: UnitOfWork, data: ClusterCreate) -> Cluster:
    if await uow.session.get(Cluster, data.cluster_no) is not None:
        raise Conflict(f"cluster {data.cluster_no} already exists", field="cluster_no")
    cluster = Cluster.model_validate(data)
    uow.session.add(cluster)
    record_cluster(uow, cluster)
    await uow.commit()
    return cluster


async def update_cluster(*, uow: UnitOfWork, cluster_no: int, data: ClusterUpdate) -> Cluster:
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    if apply_changes(cluster, data.model_dump(exclude_unset=True), datetime.now(UTC)):
        record_cluster(uow, cluster)
        await uow.commit()
    return cluster


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
    return [_member_public(member, name) for member, name in (await uow.session.exec(query)).all()]


async def add_member(*, uow: UnitOfWork, cluster_no: int, data: MembershipCreate) -> MembershipPublic:
    """Open a membership; a new leader's first day closes the previous leader's period the day before."""
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    person = await uow.session.get(Staff, data.staff_code)
    if person is None:
        raise Unprocessable(f"staff {data.staff_code} does not exist", field="staff_code")
    current = await _current_memberships(uow, cluster_no)
    if any(member.staff_code == data.staff_code for member in current):
        raise Conflict(
            f"{data.staff_code} is already a current member of cluster {cluster_no}", field="staff_code"
        )
    now = datetime.now(UTC)
    if data.role is MembershipRole.LEADER:
        for previous in (member for member in current if member.role is MembershipRole.LEADER):
            _close(previous, ending_before=data.valid_from, field="valid_from")
            previous_leader = await uow.session.get(Staff, previous.staff_code)
            assert previous_leader is not None  # a foreign key
            await staff_service.record_changed(uow, previous_leader, now=now)
        apply_changes(cluster, {"leader_staff_code": data.staff_code}, now)
        record_cluster(uow, cluster)
    membership = ClusterMembership(cluster_no=cluster_no, **data.model_dump())
    uow.session.add(membership)
    await uow.session.flush()
    await staff_service.record_changed(uow, person, now=now)
    await uow.commit()
    return _member_public(membership, person.full_name)


async def end_membership(
    *, uow: UnitOfWork, cluster_no: int, membership_id: int, data: MembershipEnd
) -> MembershipPublic:
    membership = await uow.session.get(ClusterMembership, membership_id)
    if membership is None or membership.cluster_no != cluster_no:
        raise NotFound(f"cluster {cluster_no} has no membership {membership_id}", field="membership_id")
    if membership.valid_to is not None:
        raise Conflict(f"membership {membership_id} already ended on {membership.valid_to}", field="valid_to")
    now = datetime.now(UTC)
    _close(membership, ending_before=data.valid_to + timedelta(days=1), field="valid_to")
    if membership.role is MembershipRole.LEADER:
        cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
        apply_changes(cluster, {"leader_staff_code": None}, now)
        record_cluster(uow, cluster)
    person = await uow.session.get(Staff, membership.staff_code)
    assert person is not None  # a foreign key
    await staff_service.record_changed(uow, person, now=now)
    await uow.commit()
    return _member_public(membership, person.full_name)


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


async def _current_memberships(uow: UnitOfWork, cluster_no: int) -> Sequence[ClusterMembership]:
    query = select(ClusterMembership).where(
        ClusterMembership.cluster_no == cluster_no, col(ClusterMembership.valid_to).is_(None)
    )
    return (await uow.session.exec(query)).all()


def _close(membership: ClusterMembership, *, ending_before: date, field: str) -> None:
    try:
        close_period(membership, ending_before=ending_before)
    except ValueError as exc:
        raise Unprocessable(str(exc), field=field) from exc


def _member_public(membership: ClusterMembership, full_name: str) -> MembershipPublic:
    return MembershipPublic.model_validate({**membership.model_dump(), "full_name": full_name})
