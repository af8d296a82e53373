"""The notifications service's tables: for now, its read-only replica of the registry's clusters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime


class NotificationsTable(SQLModel, registry=registry()):
    """Base of the notifications service's own tables."""


class ClusterReplica(NotificationsTable, table=True):
    """A cluster as last published by the registry; written only by the registry-replica consumer."""

    __tablename__ = "replica_clusters"

    cluster_no: int = Field(primary_key=True)
    name: str
    office_host_unit: str
    active: bool
    version: int
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ClusterReplicaPublic(SQLModel):
    cluster_no: int
    name: str
    office_host_unit: str
    active: bool
    version: int
    updated_at: datetime


NOTIFICATIONS_METADATA = NotificationsTable.metadata
