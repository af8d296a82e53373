"""Keeps the registry replica equal to the registry's compacted topics (the shared replica consumer).

Clusters, communes and schools are applied as they come (an older version is ignored, a tombstone removes
the row); every applied staff state rewrites the person's membership rows, and a staff tombstone clears
them. The replica decides whom a notice reaches when it is published and what a caller acts for.
"""

from __future__ import annotations

from services.notices.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.replica import ReplicaTable, registry_replica
from shared.replica.people import replace_memberships

replica_consumer = registry_replica(
    "notices.registry-replica",
    clusters=ReplicaTable(ClusterReplica),
    communes=ReplicaTable(CommuneReplica),
    schools=ReplicaTable(SchoolReplica),
    staff=ReplicaTable(StaffReplica, after_change=replace_memberships(MembershipReplica)),
)
