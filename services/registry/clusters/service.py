"""Cluster use cases: create and change the clusters, and publish their full state."""

from __future__ import annotations

from datetime import UTC, datetime

from services.registry.clusters.models import Cluster, ClusterCreate, ClusterUpdate
from services.registry.clusters.queries import get_cluster
from services.registry.tables import apply_changes, full_state
from shared.db import UnitOfWork
from shared.errors import Conflict
from shared.events import ClusterStateV1


def record_cluster(uow: UnitOfWork, cluster: Cluster) -> None:
    uow.record(full_state(ClusterStateV1, cluster))


async def create_cluster(*, uow: UnitOfWork, data: ClusterCreate) -> Cluster:
    if await uow.session.get(Cluster, data.cluster_no) is not None:
        raise Conflict(f"cluster {data.cluster_no} already exists", field="cluster_no")
    cluster = Cluster.model_validate(data)
    uow.session.add(cluster)
    record_cluster(uow, cluster)
    await uow.commit()
    return cluster


async def update_cluster(*, uow: UnitOfWork, cluster_no: int, data: ClusterUpdate) -> Cluster:
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    if apply_changes(cluster, data.model_dump(exclude_unset=True), datetime.now(UTC)):
        record_cluster(uow, cluster)
        await uow.commit()
    return cluster
