"""Keeps the registry replica equal to the registry's compacted topics (the shared replica consumer).

Clusters, communes, schools and offices are applied as they come (an older version is ignored, a tombstone
removes the row). A person's cluster memberships come with their state and have rows of their own, so
every applied staff state rewrites them, and a staff tombstone clears them.
"""

from __future__ import annotations

from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    OfficeReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.replica import ReplicaTable, registry_replica
from shared.replica.people import replace_memberships

replica_consumer = registry_replica(
    "notifications.registry-replica",
    clusters=ReplicaTable(ClusterReplica),
    communes=ReplicaTable(CommuneReplica),
    schools=ReplicaTable(SchoolReplica),
    staff=ReplicaTable(StaffReplica, after_change=replace_memberships(MembershipReplica)),
    offices=ReplicaTable(OfficeReplica),
)
