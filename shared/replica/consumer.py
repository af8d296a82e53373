"""Builds a service's registry-replica consumer group from the tables it keeps and the hooks it needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel

from shared.db import UnitOfWork
from shared.events import (
    ClusterStateV1,
    CommuneStateV1,
    EventPayload,
    OfficeStateV1,
    SchoolStateV1,
    SchoolStateV2,
    StaffStateV1,
)
from shared.messaging import Delivery, EventConsumer
from shared.messaging.incoming import IncomingEvent
from shared.replica.apply import apply_state, preload, remove_entity

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
    offices: ReplicaTable | None = None,
) -> EventConsumer:
    """The consumer group that keeps the given tables equal to the registry's compacted topics."""
    consumer = EventConsumer(group_id)
    entities: list[tuple[type[EventPayload], ReplicaTable | None]] = [
        (ClusterStateV1, clusters),
        (CommuneStateV1, communes),
        (SchoolStateV1, schools),
        (SchoolStateV2, schools),  # the same table: v2 only names more levels
        (StaffStateV1, staff),
        (OfficeStateV1, offices),
    ]
    tables: dict[type[EventPayload], type[SQLModel]] = {}
    for state_type, mirrored in entities:
        if mirrored is not None:
            consumer.handles(state_type)(_handler(mirrored))
            tables[state_type] = mirrored.table

    async def load_stored_rows(uow: UnitOfWork, events: Sequence[IncomingEvent]) -> None:
        """A rebuild from the compacted topics reads each row once per batch, not once per state."""
        keys: dict[type[SQLModel], set[str]] = {}
        for incoming in events:
            table = tables.get(incoming.spec.model)
            if table is not None and incoming.key is not None:
                keys.setdefault(table, set()).add(incoming.key)
        for table, wanted in keys.items():
            await preload(uow.session, table, wanted)

    consumer.before_batch(load_stored_rows)
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
