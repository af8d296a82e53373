"""Keeps the registry replica equal to the registry's compacted topics (the shared replica consumer).

Clusters, communes and schools are applied as they come (an older version is ignored, a tombstone
removes the row). A person's cluster memberships come with their state and have rows of their own, so
every applied staff state rewrites them, and a staff tombstone clears them.
"""

from __future__ import annotations

from sqlmodel import col, delete

from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.events import StaffStateV1
from shared.messaging import Delivery
from shared.replica import ReplicaTable, registry_replica


async def replace_memberships(delivery: Delivery, state: StaffStateV1 | None) -> None:
    """The person's membership rows become those of ``state``; none after a tombstone (``None``)."""
    staff_code = state.code if state is not None else delivery.tombstone_key
    session = delivery.uow.session
    await session.exec(delete(MembershipReplica).where(col(MembershipReplica.staff_code) == staff_code))
    for membership in state.memberships if state is not None else []:
        session.add(MembershipReplica(staff_code=staff_code, **membership.model_dump()))


replica_consumer = registry_replica(
    "notifications.registry-replica",
    clusters=ReplicaTable(ClusterReplica),
    communes=ReplicaTable(CommuneReplica),
    schools=ReplicaTable(SchoolReplica),
    staff=ReplicaTable(StaffReplica, after_change=replace_memberships),
)
