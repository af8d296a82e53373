"""Event handlers of the incidents service: the registry replica, thin adapters to its use cases."""

from __future__ import annotations

from datetime import UTC, datetime

from services.incidents.models import ReplicaCluster, ReplicaCommune, ReplicaSchool
from services.incidents.service import replica
from shared.events import ClusterStateV1, CommuneStateV1, SchoolStateV1
from shared.messaging import Delivery, EventConsumer

# Re-routing happens when the replica learns of the school, which is now, not when the registry changed it.
registry_replica = EventConsumer("incidents.registry-replica")


@registry_replica.handles(ClusterStateV1)
async def apply_cluster_state(event: ClusterStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=ReplicaCluster, key=delivery.tombstone_key)
    else:
        await replica.apply_cluster(uow=delivery.uow, state=event)


@registry_replica.handles(CommuneStateV1)
async def apply_commune_state(event: CommuneStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=ReplicaCommune, key=delivery.tombstone_key)
    else:
        await replica.apply_commune(uow=delivery.uow, state=event, now=datetime.now(UTC))


@registry_replica.handles(SchoolStateV1)
async def apply_school_state(event: SchoolStateV1 | None, delivery: Delivery) -> None:
    if event is None:
        await replica.remove(uow=delivery.uow, entity=ReplicaSchool, key=delivery.tombstone_key)
    else:
        await replica.apply_school(uow=delivery.uow, state=event, now=datetime.now(UTC))
