"""Keeps the registry replica up to date from the registry's compacted topics (thin adapters).

A tombstone removes the entity; a state older than the one held is ignored (the relay may repeat one).
"""

from __future__ import annotations

from typing import Any

from services.activities.replica.models import ClusterReplica, CommuneReplica, SchoolReplica, StaffReplica
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.registry import is_newer
from shared.messaging import Delivery, EventConsumer

registry_replica = EventConsumer("activities.registry-replica")


async def _upsert(delivery: Delivery, table: type[Any], key: object, row: Any | None) -> None:
    session = delivery.uow.session
    stored = await session.get(table, key)
    if row is None:
        if stored is not None:
            await session.delete(stored)
        return
    if is_newer(row.version, stored.version if stored is not None else None):
        await session.merge(row)


@registry_replica.handles(ClusterStateV1)
async def apply_cluster(event: ClusterStateV1 | None, delivery: Delivery) -> None:
    row = None
    if event is not None:
        row = ClusterReplica(
            cluster_no=event.cluster_no,
            name=event.name,
            active=event.active,
            leader_staff_code=event.leader_staff_code,
            version=event.version,
        )
    key = event.cluster_no if event is not None else int(delivery.key or 0)
    await _upsert(delivery, ClusterReplica, key, row)


@registry_replica.handles(CommuneStateV1)
async def apply_commune(event: CommuneStateV1 | None, delivery: Delivery) -> None:
    row = None
    if event is not None:
        row = CommuneReplica(
            gso_code=event.gso_code, name=event.name, cluster_no=event.cluster_no, version=event.version
        )
    await _upsert(delivery, CommuneReplica, event.gso_code if event else delivery.key, row)


@registry_replica.handles(SchoolStateV1)
async def apply_school(event: SchoolStateV1 | None, delivery: Delivery) -> None:
    row = None
    if event is not None:
        row = SchoolReplica(
            code=event.code,
            name=event.name,
            level=event.level,
            commune_code=event.commune_code,
            cluster_no=event.cluster_no,
            status=event.status,
            principal_staff_code=event.principal_staff_code,
            version=event.version,
        )
    await _upsert(delivery, SchoolReplica, event.code if event else delivery.key, row)


@registry_replica.handles(StaffStateV1)
async def apply_staff(event: StaffStateV1 | None, delivery: Delivery) -> None:
    row = None
    if event is not None:
        row = StaffReplica(
            code=event.code,
            full_name=event.full_name,
            roles=list(event.roles),
            school_code=event.school_code,
            teaching_subject=event.teaching_subject,
            active=event.active,
            version=event.version,
        )
    await _upsert(delivery, StaffReplica, event.code if event else delivery.key, row)
