"""The consumer group that keeps the registry replica (``incidents.registry-replica``): apply-if-newer and
tombstones from the registry's compacted topics, then the hooks the incidents need after a change.

The hooks come in from the composition root (app.py): re-routing belongs to the incidents concept, which
itself reads the replica, so the replica must not import it back.
"""

from __future__ import annotations

from services.incidents.replica.models import ReplicaCluster, ReplicaCommune, ReplicaSchool
from shared.messaging import EventConsumer
from shared.replica import ReplicaHook, ReplicaTable, registry_replica

GROUP_ID = "incidents.registry-replica"


def registry_replica_consumer(
    *, after_commune_change: ReplicaHook, after_school_change: ReplicaHook
) -> EventConsumer:
    """The replica's consumer; each hook runs in the same transaction once a state (or tombstone) applied."""
    return registry_replica(
        GROUP_ID,
        clusters=ReplicaTable(ReplicaCluster),
        communes=ReplicaTable(ReplicaCommune, after_change=after_commune_change),
        schools=ReplicaTable(ReplicaSchool, after_change=after_school_change),
    )
