"""Keeps the registry replica up to date from the registry's compacted topics.

A state is applied only if newer than the row held (the relay may repeat one); a tombstone removes the
entity. The activities service only reads the replica, so no change needs a hook.
"""

from __future__ import annotations

from services.activities.replica.models import ClusterReplica, CommuneReplica, SchoolReplica, StaffReplica
from shared.replica import ReplicaTable, registry_replica

replica_consumer = registry_replica(
    "activities.registry-replica",
    clusters=ReplicaTable(ClusterReplica),
    communes=ReplicaTable(CommuneReplica),
    schools=ReplicaTable(SchoolReplica),
    staff=ReplicaTable(StaffReplica),
)
