"""Event handlers of the notifications service: thin adapters from events to the replica."""

from __future__ import annotations

from services.notifications.domain import is_newer
from services.notifications.models import ClusterReplica
from shared.events import ClusterStateV1
from shared.messaging import Delivery, EventConsumer

registry_replica = EventConsumer("notifications.registry-replica")


@registry_replica.handles(ClusterStateV1)
async def apply_cluster_state(event: ClusterStateV1 | None, delivery: Delivery) -> None:
    session = delivery.uow.session
    if event is None:  # tombstone: the cluster is gone from the registry
        stored = await session.get(ClusterReplica, int(delivery.key or 0))
        if stored is not None:
            await session.delete(stored)
        return
    stored = await session.get(ClusterReplica, event.cluster_no)
    if not is_newer(event.version, stored.version if stored else None):
        return
    await session.merge(ClusterReplica(**event.model_dump()))
