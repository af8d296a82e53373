"""The registry's use cases: load, apply a rule, save and record the event, in one unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlmodel import col, select

from services.registry.domain import apply_changes, close_current_assignment, cluster_state, commune_state
from services.registry.models import (
    Cluster,
    ClusterCreate,
    ClusterUpdate,
    Commune,
    CommuneAssignment,
    CommuneKind,
    CommuneMove,
    OldDistrict,
)
from services.registry.seed import REFORM_DATE, ClusterSeed, CommuneSeed, OldDistrictSeed
from shared.db import UnitOfWork
from shared.web.errors import Conflict, NotFound, Unprocessable


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


async def seed_geography(
    *, uow: UnitOfWork, districts: Sequence[OldDistrictSeed], communes: Sequence[CommuneSeed]
) -> int:
    """Create the missing old districts and communes, each commune with its first cluster assignment.

    Seeding twice changes nothing. Returns how many communes it created.
    """
    known_districts = set((await uow.session.exec(select(OldDistrict.gso_code))).all())
    for district in districts:
        if district.gso_code not in known_districts:
            uow.session.add(OldDistrict(**vars(district)))
    district_code = {district.name: district.gso_code for district in districts}
    known_communes = set((await uow.session.exec(select(Commune.gso_code))).all())
    created = [seed for seed in communes if seed.gso_code not in known_communes]
    for seed in created:
        commune = Commune(
            gso_code=seed.gso_code,
            name=seed.name,
            kind=CommuneKind(seed.kind),
            old_district_code=district_code[seed.old_district_name],
            cluster_no=seed.cluster_no,
            population=seed.population,
            area_km2=seed.area_km2,
            people_committee_seat=seed.people_committee_seat,
        )
        uow.session.add(commune)
        uow.session.add(
            CommuneAssignment(commune_code=seed.gso_code, cluster_no=seed.cluster_no, valid_from=REFORM_DATE)
        )
        uow.record(commune_state(commune, old_district_name=seed.old_district_name))
    await uow.commit()
    return len(created)


async def list_old_districts(*, uow: UnitOfWork) -> Sequence[OldDistrict]:
    return (await uow.session.exec(select(OldDistrict).order_by(OldDistrict.gso_code))).all()


async def list_communes(
    *,
    uow: UnitOfWork,
    cluster_no: int | None = None,
    old_district_code: str | None = None,
    unclustered: bool = False,
) -> Sequence[Commune]:
    query = select(Commune).order_by(Commune.gso_code)
    if cluster_no is not None:
        query = query.where(Commune.cluster_no == cluster_no)
    if unclustered:
        query = query.where(col(Commune.cluster_no).is_(None))
    if old_district_code is not None:
        query = query.where(Commune.old_district_code == old_district_code)
    return (await uow.session.exec(query)).all()


async def get_commune(*, uow: UnitOfWork, gso_code: str) -> Commune:
    commune = await uow.session.get(Commune, gso_code)
    if commune is None:
        raise NotFound(f"commune {gso_code} does not exist", field="gso_code")
    return commune


async def commune_history(*, uow: UnitOfWork, gso_code: str) -> Sequence[CommuneAssignment]:
    await get_commune(uow=uow, gso_code=gso_code)
    query = (
        select(CommuneAssignment)
        .where(CommuneAssignment.commune_code == gso_code)
        .order_by(col(CommuneAssignment.valid_from))
    )
    return (await uow.session.exec(query)).all()


async def move_commune(*, uow: UnitOfWork, gso_code: str, move: CommuneMove) -> Commune:
    """Assign a commune to another cluster (or to the Department) from a date, keeping the history."""
    commune = await get_commune(uow=uow, gso_code=gso_code)
    if move.cluster_no is not None:
        await get_cluster(uow=uow, cluster_no=move.cluster_no)
    if move.cluster_no == commune.cluster_no:
        raise Conflict(f"commune {gso_code} is already in cluster {move.cluster_no}", field="cluster_no")
    history = await commune_history(uow=uow, gso_code=gso_code)
    try:
        close_current_assignment(history, effective_from=move.effective_from)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="effective_from") from exc
    uow.session.add(
        CommuneAssignment(commune_code=gso_code, cluster_no=move.cluster_no, valid_from=move.effective_from)
    )
    apply_changes(commune, {"cluster_no": move.cluster_no}, datetime.now(UTC))
    district = await uow.session.get(OldDistrict, commune.old_district_code)
    assert district is not None  # a foreign key
    uow.record(commune_state(commune, old_district_name=district.name))
    await uow.commit()
    return commune


async def republish_all(*, uow: UnitOfWork) -> dict[str, int]:
    """Record every entity's current state again, for a consumer that must rebuild its replica."""
    clusters = await list_clusters(uow=uow)
    for cluster in clusters:
        uow.record(cluster_state(cluster))
    district_names = {district.gso_code: district.name for district in await list_old_districts(uow=uow)}
    communes = await list_communes(uow=uow)
    for commune in communes:
        uow.record(commune_state(commune, old_district_name=district_names[commune.old_district_code]))
    await uow.commit()
    return {"clusters": len(clusters), "communes": len(communes)}
