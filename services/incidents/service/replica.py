"""Use cases of the registry replica: apply the registry's states, and route the incidents that were
waiting at the duty desk once their school (or commune) appears."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from services.incidents.domain.events import facts
from services.incidents.domain.lifecycle import OPEN_STATUSES
from services.incidents.models import (
    Incident,
    ReplicaCluster,
    ReplicaCommune,
    ReplicaSchool,
    TimelineEntry,
    TimelineKind,
)
from services.incidents.service.reporting import current_route
from shared.db import UnitOfWork
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1
from shared.events.incidents import IncidentRoutedV1, RouteKind
from shared.events.registry import is_newer

REPLICA_ACTOR = "registry-replica"


async def apply_cluster(*, uow: UnitOfWork, state: ClusterStateV1) -> None:
    stored = await uow.session.get(ReplicaCluster, state.cluster_no)
    if is_newer(state.version, stored.version if stored else None):
        await uow.session.merge(ReplicaCluster(**state.model_dump(include=set(ReplicaCluster.model_fields))))


async def apply_commune(*, uow: UnitOfWork, state: CommuneStateV1, now: datetime) -> None:
    stored = await uow.session.get(ReplicaCommune, state.gso_code)
    if not is_newer(state.version, stored.version if stored else None):
        return
    await uow.session.merge(ReplicaCommune(**state.model_dump(include=set(ReplicaCommune.model_fields))))
    await uow.session.flush()
    # Only reports that waited for this commune move; a commune moved later keeps its open incidents.
    waiting = await _waiting(
        uow, col(Incident.school_code).is_(None), col(Incident.commune_code) == state.gso_code
    )
    await _route_waiting(uow, waiting, now)


async def apply_school(*, uow: UnitOfWork, state: SchoolStateV1, now: datetime) -> None:
    stored = await uow.session.get(ReplicaSchool, state.code)
    if not is_newer(state.version, stored.version if stored else None):
        return
    await uow.session.merge(ReplicaSchool(**state.model_dump(include=set(ReplicaSchool.model_fields))))
    await uow.session.flush()
    await _route_waiting(uow, await _waiting(uow, col(Incident.school_code) == state.code), now)


async def remove(
    *, uow: UnitOfWork, entity: type[ReplicaCluster | ReplicaCommune | ReplicaSchool], key: str
) -> None:
    """A tombstone: the registry deleted the entity. Incidents keep the route they had."""
    stored = await uow.session.get(entity, int(key) if entity is ReplicaCluster else key)
    if stored is not None:
        await uow.session.delete(stored)


async def _waiting(uow: UnitOfWork, *where: ColumnElement[bool]) -> Sequence[Incident]:
    """Open incidents held at the duty desk that match ``where``."""
    query = (
        select(Incident)
        .where(
            col(Incident.route) == RouteKind.DEPARTMENT_DUTY_DESK,
            col(Incident.status).in_(OPEN_STATUSES),
            *where,
        )
        .with_for_update()
    )
    return (await uow.session.exec(query)).all()


async def _route_waiting(uow: UnitOfWork, incidents: Sequence[Incident], now: datetime) -> None:
    for incident in incidents:
        route = await current_route(uow, school_code=incident.school_code, commune_code=incident.commune_code)
        if route.kind is RouteKind.DEPARTMENT_DUTY_DESK:
            continue
        previous = (incident.route, incident.cluster_no, incident.commune_code)
        incident.route, incident.cluster_no, incident.commune_code = (
            route.kind,
            route.cluster_no,
            route.commune_code,
        )
        uow.session.add(
            TimelineEntry(
                incident_id=incident.id,
                at=now,
                kind=TimelineKind.REROUTED,
                actor_subject=REPLICA_ACTOR,
                actor_role="system",
                detail=f"{route.kind}: cluster {route.cluster_no}, commune {route.commune_code}",
            )
        )
        uow.record(
            IncidentRoutedV1(
                **facts(incident),
                rerouted=True,
                previous_route=previous[0],
                previous_cluster_no=previous[1],
                previous_commune_code=previous[2],
                routed_at=now,
            ),
            occurred_at=now,
        )
