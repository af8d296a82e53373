"""The registry replica: the clusters, communes and schools incidents are routed by.

Written only by the ``incidents.registry-replica`` consumer group, from the registry's compacted topics;
``VersionedRow`` keeps the registry's version so an older state delivered late never overwrites a newer one.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from services.incidents.tables import IncidentsTable
from shared.db import UTCDateTime
from shared.replica import VersionedRow


class ReplicaCluster(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    active: bool
    leader_staff_code: str | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaCommune(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_communes"

    gso_code: str = Field(primary_key=True, max_length=10)
    name: str
    cluster_no: int | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ReplicaSchool(IncidentsTable, VersionedRow, table=True):
    __tablename__ = "replica_schools"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    commune_code: str = Field(max_length=10, index=True)
    cluster_no: int | None = None
    status: str = Field(max_length=20)
    updated_at: datetime = Field(sa_type=UTCDateTime)
