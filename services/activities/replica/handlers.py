"""Keeps the registry replica up to date from the registry's compacted topics.

A state is applied only if newer than the row held (the relay may repeat one); a tombstone removes the
entity. The activities service only reads the replica, so no change needs a hook of its own; a person's
cluster memberships come with their state and are rewritten with it (``replace_memberships``).
"""

from __future__ import annotations

from services.activities.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.replica import ReplicaTable, registry_replica
from shared.replica.people import replace_memberships

replica_consumer = registry_replica(
    "activities.registry-replica",
    clusters=ReplicaTable(ClusterReplica),
    communes=ReplicaTable(CommuneReplica),
    schools=ReplicaTable(SchoolReplica),
    staff=ReplicaTable(StaffReplica, after_change=replace_memberships(MembershipReplica)),
)
