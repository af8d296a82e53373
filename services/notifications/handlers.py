"""Event handlers of the notifications service: thin adapters from events to the replica and the fan-out.

The registry replica is one consumer group; the fan-out of incident and activity events another, built
per app (it carries the app's settings and clock), so a slow registry backlog never delays an incident.
"""

from __future__ import annotations

from services.notifications.deliveries.dispatch import DispatchConfig, dispatch
from services.notifications.replica import service as replica
from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    SchoolReplica,
    StaffReplica,
)
from services.notifications.rules.service import NOTIFIABLE_TOPICS
from services.notifications.tables import Clock
from shared.events import ClusterStateV1, CommuneStateV1, EventPayload, SchoolStateV1, StaffStateV1
from shared.events.catalog import all_event_specs
from shared.messaging import Delivery, EventConsumer, PermanentError

registry_replica = EventConsumer("notifications.registry-replica")


@registry_replica.handles(ClusterStateV1)
async def apply_cluster_state(event: ClusterStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=ClusterReplica, key=delivery.tombstone_key)
    else:
        await replica.apply_cluster(uow=delivery.uow, state=event)


@registry_replica.handles(CommuneStateV1)
async def apply_commune_state(event: CommuneStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=CommuneReplica, key=delivery.tombstone_key)
    else:
        await replica.apply_commune(uow=delivery.uow, state=event)


@registry_replica.handles(SchoolStateV1)
async def apply_school_state(event: SchoolStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=SchoolReplica, key=delivery.tombstone_key)
    else:
        await replica.apply_school(uow=delivery.uow, state=event)


@registry_replica.handles(StaffStateV1)
async def apply_staff_state(event: StaffStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=StaffReplica, key=delivery.tombstone_key)
    else:
        await replica.apply_staff(uow=delivery.uow, state=event)


def fan_out_consumer(config: DispatchConfig, clock: Clock) -> EventConsumer:
    """Every incident and activity event type: rules are data, so any of them may come to matter."""
    consumer = EventConsumer("notifications.fan-out")

    async def fan_out(event: EventPayload | None, delivery: Delivery) -> None:
        if event is None:
            raise PermanentError("incident and activity topics carry no tombstones")
        await dispatch(
            uow=delivery.uow,
            event=event,
            event_id=delivery.envelope.id,
            subject=delivery.envelope.subject,
            event_time=delivery.envelope.time,
            config=config,
            now=clock(),
        )

    for spec in all_event_specs():
        if spec.topic.name in NOTIFIABLE_TOPICS:
            consumer.handles(spec.model)(fan_out)
    return consumer
