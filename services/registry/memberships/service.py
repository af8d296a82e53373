"""Membership use cases: open a membership or appoint the leader, end a period; history is never rewritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from services.registry.clusters.domain import close_period
from services.registry.clusters.models import Cluster, ClusterMembership, MembershipRole
from services.registry.clusters.queries import get_cluster
from services.registry.clusters.service import record_cluster
from services.registry.memberships.models import MembershipCreate, MembershipEnd, MembershipPublic
from services.registry.memberships.queries import current_memberships, member_public
from services.registry.staff import service as staff_service
from services.registry.staff.models import Staff
from services.registry.tables import apply_changes
from shared.db import UnitOfWork
from shared.errors import Conflict, NotFound, Unprocessable


async def add_member(*, uow: UnitOfWork, cluster_no: int, data: MembershipCreate) -> MembershipPublic:
    """Open a membership; a new leader's first day closes the previous leader's period the day before."""
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    person = await uow.session.get(Staff, data.staff_code)
    if person is None:
        raise Unprocessable(f"staff {data.staff_code} does not exist", field="staff_code")
    current = await current_memberships(uow, cluster_no)
    if any(member.staff_code == data.staff_code for member in current):
        raise Conflict(
            f"{data.staff_code} is already a current member of cluster {cluster_no}", field="staff_code"
        )
    now = datetime.now(UTC)
    if data.role is MembershipRole.LEADER:
        previous_leaders = [member for member in current if member.role is MembershipRole.LEADER]
        hand_over(cluster, previous_leaders, to=data.staff_code, starting=data.valid_from, now=now)
        for previous in previous_leaders:
            previous_leader = await uow.session.get(Staff, previous.staff_code)
            assert previous_leader is not None  # a foreign key
            await staff_service.record_changed(uow, previous_leader, now=now)
        record_cluster(uow, cluster)
    membership = ClusterMembership(cluster_no=cluster_no, **data.model_dump())
    uow.session.add(membership)
    await uow.session.flush()
    await staff_service.record_changed(uow, person, now=now)
    await uow.commit()
    return member_public(membership, person.full_name)


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
        leader_steps_down(cluster, membership, now)
        record_cluster(uow, cluster)
    person = await uow.session.get(Staff, membership.staff_code)
    assert person is not None  # a foreign key
    await staff_service.record_changed(uow, person, now=now)
    await uow.commit()
    return member_public(membership, person.full_name)


def hand_over(
    cluster: Cluster, previous: Sequence[ClusterMembership], *, to: str, starting: date, now: datetime
) -> None:
    """A new leader's first day ends the previous leaders' periods the day before (the caller publishes
    the cluster and the people whose periods changed)."""
    for membership in previous:
        _close(membership, ending_before=starting, field="valid_from")
    apply_changes(cluster, {"leader_staff_code": to}, now)


def leader_steps_down(cluster: Cluster, membership: ClusterMembership, now: datetime) -> None:
    """A leader's period ended: the cluster has no leader until the next one is appointed."""
    if membership.role is MembershipRole.LEADER and cluster.leader_staff_code == membership.staff_code:
        apply_changes(cluster, {"leader_staff_code": None}, now)


def _close(membership: ClusterMembership, *, ending_before: date, field: str) -> None:
    try:
        close_period(membership, ending_before=ending_before)
    except ValueError as exc:
        raise Unprocessable(str(exc), field=field) from exc
