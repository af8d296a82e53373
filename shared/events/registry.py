"""Events the registry publishes: the full current state of each entity, on compacted topics.

Each state carries a ``version`` that grows with every change, so a replica can refuse to step back if a
retried publish delivers an older state after a newer one.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import REGISTRY_CLUSTERS


@event_type("registry.cluster.v1", topic=REGISTRY_CLUSTERS, key="cluster_no")
class ClusterStateV1(EventPayload):
    """A professional cluster as the registry holds it now."""

    cluster_no: int = Field(ge=1, description="The cluster's number, 1 to 5 today")
    name: str
    office_host_unit: str = Field(description="The unit hosting the cluster's office")
    active: bool = True
    version: int = Field(ge=1, description="Grows by one with every change of this cluster")
    updated_at: datetime
