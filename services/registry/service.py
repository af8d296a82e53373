"""The registry's use cases: load, apply a rule, save and record the event, in one unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import select

from services.registry.domain import apply_changes, cluster_state
from services.registry.models import Cluster, ClusterCreate, ClusterUpdate
from services.registry.seed import ClusterSeed
from shared.db import UnitOfWork
from shared.web.errors import Conflict, NotFound


async def list_clusters(*, uow: UnitOfWork) -> Sequence[Cluster]:
    return (await uow.session.exec(select(Cluster).order_by(Cluster.cluster_no))).all()  # type: ignore[arg-type]


async def get_cluster(*, uow: UnitOfWork, cluster_no: int) -> Cluster:
    cluster = await uow.session.get(Cluster, cluster_no)
    if cluster is None:
        raise NotFound(f"cluster {cluster_no} does not exist", field="cluster_no")
    return cluster


async def create_cluster(*, uow: UnitOfWork, data: ClusterCreate) -> Cluster:
    if await uow.session.get(Cluster, data.cluster_no) is not None:
        raise Conflict(f"cluster {data.cluster_no} already exists", field="cluster_no")
    cluster = Cluster.model_validate(data)
    uow.session.add(cluster)
    uow.record(cluster_state(cluster))
    await uow.commit()
    return cluster


async def update_cluster(*, uow: UnitOfWork, cluster_no: int, data: ClusterUpdate) -> Cluster:
    cluster = await get_cluster(uow=uow, cluster_no=cluster_no)
    if apply_changes(cluster, data.model_dump(exclude_unset=True), datetime.now(UTC)):
        uow.record(cluster_state(cluster))
        await uow.commit()
    return cluster


async def seed_clusters(*, uow: UnitOfWork, seeds: Sequence[ClusterSeed]) -> int:
    """Create the clusters that are missing; seeding twice changes nothing. Returns how many it created."""
    existing = set((await uow.session.exec(select(Cluster.cluster_no))).all())
    created = 0
    for seed in seeds:
        if seed.cluster_no in existing:
            continue
        cluster = Cluster(cluster_no=seed.cluster_no, name=seed.name, office_host_unit=seed.office_host_unit)
        uow.session.add(cluster)
        uow.record(cluster_state(cluster))
        created += 1
    await uow.commit()
    return created


async def republish_clusters(*, uow: UnitOfWork) -> int:
    """Record every cluster's current state again, for a consumer that must rebuild its replica."""
    clusters = await list_clusters(uow=uow)
    for cluster in clusters:
        uow.record(cluster_state(cluster))
    await uow.commit()
    return len(clusters)
