"""Events the registry publishes: the full current state of each entity, on compacted topics.

Each state carries a ``version`` that grows with every change, so a replica can refuse to step back if a
retried publish delivers an older state after a newer one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.events.base import EventPayload, event_type
from shared.events.topics import REGISTRY_CLUSTERS, REGISTRY_COMMUNES


@event_type("registry.cluster.v1", topic=REGISTRY_CLUSTERS, key="cluster_no")
class ClusterStateV1(EventPayload):
    """A professional cluster as the registry holds it now."""

    cluster_no: int = Field(ge=1, description="The cluster's number, 1 to 5 today")
    name: str
    office_host_unit: str = Field(description="The unit hosting the cluster's office")
    active: bool = True
    version: int = Field(ge=1, description="Grows by one with every change of this cluster")
    updated_at: datetime


@event_type("registry.commune.v1", topic=REGISTRY_COMMUNES, key="gso_code")
class CommuneStateV1(EventPayload):
    """A commune or ward (commune-level unit since July 2025) as the registry holds it now.

    ``cluster_no`` is None for the communes the Department directs itself (no cluster).
    """

    gso_code: str = Field(description="General Statistics Office code of the unit")
    name: str
    kind: Literal["commune", "ward"]
    old_district_code: str = Field(description="GSO code of the district-level unit it was formed from")
    old_district_name: str
    cluster_no: int | None = Field(default=None, ge=1)
    population: int | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    people_committee_seat: str | None = None
    culture_office_email: str | None = None
    culture_office_phone: str | None = None
    version: int = Field(ge=1)
    updated_at: datetime
