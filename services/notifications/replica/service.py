"""Use cases of the registry replica: apply the registry's states and tombstones."""

from __future__ import annotations

from sqlmodel import col, delete

from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.db import UnitOfWork
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1, StaffStateV1
from shared.events.registry import is_newer


async def apply_cluster(*, uow: UnitOfWork, state: ClusterStateV1) -> None:
    stored = await uow.session.get(ClusterReplica, state.cluster_no)
    if is_newer(state.version, stored.version if stored else None):
        await uow.session.merge(ClusterReplica(**state.model_dump(include=set(ClusterReplica.model_fields))))


async def apply_commune(*, uow: UnitOfWork, state: CommuneStateV1) -> None:
    stored = await uow.session.get(CommuneReplica, state.gso_code)
    if is_newer(state.version, stored.version if stored else None):
        await uow.session.merge(CommuneReplica(**state.model_dump(include=set(CommuneReplica.model_fields))))


async def apply_school(*, uow: UnitOfWork, state: SchoolStateV1) -> None:
    stored = await uow.session.get(SchoolReplica, state.code)
    if is_newer(state.version, stored.version if stored else None):
        await uow.session.merge(SchoolReplica(**state.model_dump(include=set(SchoolReplica.model_fields))))


async def apply_staff(*, uow: UnitOfWork, state: StaffStateV1) -> None:
    stored = await uow.session.get(StaffReplica, state.code)
    if not is_newer(state.version, stored.version if stored else None):
        return
    await uow.session.merge(StaffReplica(**state.model_dump(include=set(StaffReplica.model_fields))))
    await _replace_memberships(uow, state.code, state)


async def remove(*, uow: UnitOfWork, entity: type[object], key: str) -> None:
    """A tombstone: the registry deleted the entity, and nobody is to be notified through it any more."""
    stored = await uow.session.get(entity, int(key) if entity is ClusterReplica else key)
    if stored is not None:
        await uow.session.delete(stored)
    if entity is StaffReplica:
        await _replace_memberships(uow, key, None)


async def _replace_memberships(uow: UnitOfWork, staff_code: str, state: StaffStateV1 | None) -> None:
    await uow.session.exec(delete(MembershipReplica).where(col(MembershipReplica.staff_code) == staff_code))
    for membership in state.memberships if state else []:
        uow.session.add(MembershipReplica(staff_code=staff_code, **membership.model_dump()))
