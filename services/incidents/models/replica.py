"""The registry replica: the clusters, communes and schools incidents are routed by.

Written only by the ``incidents.registry-replica`` consumer group, from the registry's compacted topics.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from services.incidents.tables import IncidentsTable
from shared.db import UTCDateTime


class ReplicaCluster(IncidentsTable, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    active: bool
    leader_staff_code: str | None = None
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaCommune(IncidentsTable, table=True):
    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = None
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaSchool(IncidentsTable, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    commune_code: str = Field(max_length=10, index=True)
    cluster_no: int | None = None
    status: str = Field(max_length=20)
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)
