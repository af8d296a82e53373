"""Cluster reads."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.registry.clusters.models import Cluster
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_clusters(*, uow: UnitOfWork) -> Sequence[Cluster]:
    return (await uow.session.exec(select(Cluster).order_by(col(Cluster.cluster_no)))).all()


async def get_cluster(*, uow: UnitOfWork, cluster_no: int, field: str = "cluster_no") -> Cluster:
    cluster = await uow.session.get(Cluster, cluster_no)
    if cluster is None:
        raise NotFound(f"cluster {cluster_no} does not exist", field=field)
    return cluster
