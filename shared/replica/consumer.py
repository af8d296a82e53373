"""Builds a service's registry-replica consumer group from the tables it keeps and the hooks it needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel

from shared.events import ClusterStateV1, CommuneStateV1, EventPayload, SchoolStateV1, StaffStateV1
from shared.messaging import Delivery, EventConsumer
from shared.replica.apply import apply_state, remove_entity

ReplicaHook = Callable[[Delivery, Any], Awaitable[None]]
"""Called in the same transaction after a state (or, with ``None``, a tombstone) was applied."""


@dataclass(frozen=True)
class ReplicaTable:
    """One registry entity a service mirrors: its table, and what to do once a change is applied."""

    table: type[SQLModel]
    after_change: ReplicaHook | None = None


def registry_replica(
    group_id: str,
    *,
    clusters: ReplicaTable | None = None,
    communes: ReplicaTable | None = None,
    schools: ReplicaTable | None = None,
    staff: ReplicaTable | None = None,
) -> EventConsumer:
    """The consumer group that keeps the given tables equal to the registry's compacted topics."""
    consumer = EventConsumer(group_id)
    entities: list[tuple[type[EventPayload], ReplicaTable | None]] = [
        (ClusterStateV1, clusters),
        (CommuneStateV1, communes),
        (SchoolStateV1, schools),
        (StaffStateV1, staff),
    ]
    for state_type, mirrored in entities:
        if mirrored is not None:
            consumer.handles(state_type)(_handler(mirrored))
    return consumer


def _handler(mirrored: ReplicaTable) -> Callable[[EventPayload | None, Delivery], Awaitable[None]]:
    async def apply(event: EventPayload | None, delivery: Delivery) -> None:
        session = delivery.uow.session
        if event is None:
            await remove_entity(session, mirrored.table, delivery.tombstone_key)
            changed = True  # a hook clears what hangs on the entity even if its row was already gone
        else:
            changed = await apply_state(session, mirrored.table, event)
        if changed and mirrored.after_change is not None:
            await session.flush()
            await mirrored.after_change(delivery, event)

    apply.__name__ = f"apply_{mirrored.table.__name__}"
    return apply
