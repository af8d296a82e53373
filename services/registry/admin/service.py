"""Whole-registry use cases: seed the province's reference data, load sample data, republish every state.

``seed_province`` and ``seed_samples`` are the one seed sequence: the registry's start-up and the operator
CLI both call them, each with its own units of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from services.registry.admin.domain import SAMPLE_SEED, CommuneForSamples, sample_rows
from services.registry.admin.seed import (
    REFORM_DATE,
    ClusterSeed,
    CommuneSeed,
    OldDistrictSeed,
    read_clusters,
    read_communes,
    read_old_districts,
)
from services.registry.bulk.models import ImportReport
from services.registry.bulk.service import SAMPLE_CHUNK_ROWS, SchoolImporter, StaffImporter, apply_rows
from services.registry.clusters.models import Cluster
from services.registry.clusters.service import record_cluster
from services.registry.communes.models import (
    Commune,
    CommuneAssignment,
    CommuneKind,
    DistrictKind,
    OldDistrict,
)
from services.registry.communes.service import record_commune
from services.registry.schools.models import School
from services.registry.schools.service import record_school
from services.registry.staff import service as staff_service
from services.registry.staff.models import Staff
from shared.auth import Principal
from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.text import fold


@dataclass(frozen=True)
class ProvinceSeedReport:
    clusters_created: int
    communes_created: int


async def seed_province(*, unit_of_work: UnitOfWorkFactory) -> ProvinceSeedReport:
    """Create what is missing of the province's reference data shipped in seed_data/: the clusters, then
    the old districts and the communes with their first cluster assignments. Seeding twice changes nothing.

    Each step commits in a unit of work of its own, clusters first: the communes point at them.
    """
    async with unit_of_work() as uow:
        clusters = await seed_clusters(uow=uow, seeds=read_clusters())
    async with unit_of_work() as uow:
        communes = await seed_geography(uow=uow, districts=read_old_districts(), communes=read_communes())
    return ProvinceSeedReport(clusters_created=clusters, communes_created=communes)


async def seed_samples(
    *, unit_of_work: UnitOfWorkFactory, principal: Principal, schools: int, seed: int = SAMPLE_SEED
) -> tuple[ImportReport, ImportReport]:
    """Load ``schools`` labelled sample schools and their staff in a unit of work of its own."""
    async with unit_of_work() as uow:
        return await load_samples(uow=uow, principal=principal, schools=schools, seed=seed)


async def seed_clusters(*, uow: UnitOfWork, seeds: Sequence[ClusterSeed]) -> int:
    """Create the clusters that are missing; seeding twice changes nothing. Returns how many it created."""
    existing = set((await uow.session.exec(select(Cluster.cluster_no))).all())
    created = [seed for seed in seeds if seed.cluster_no not in existing]
    for seed in created:
        cluster = Cluster(cluster_no=seed.cluster_no, name=seed.name, office_host_unit=seed.office_host_unit)
        uow.session.add(cluster)
        record_cluster(uow, cluster)
    await uow.commit()
    return len(created)


async def seed_geography(
    *, uow: UnitOfWork, districts: Sequence[OldDistrictSeed], communes: Sequence[CommuneSeed]
) -> int:
    """Create the missing old districts and communes, each commune with its first cluster assignment.

    Seeding twice changes nothing. Returns how many communes it created.
    """
    known_districts = set((await uow.session.exec(select(OldDistrict.gso_code))).all())
    for district in districts:
        if district.gso_code not in known_districts:
            uow.session.add(OldDistrict(**{**vars(district), "kind": DistrictKind(district.kind)}))
    await uow.session.flush()
    district_code = {district.name: district.gso_code for district in districts}
    known_communes = set((await uow.session.exec(select(Commune.gso_code))).all())
    created = [seed for seed in communes if seed.gso_code not in known_communes]
    for seed in created:
        commune = Commune(
            gso_code=seed.gso_code,
            name=seed.name,
            search_name=fold(seed.name),
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
        await record_commune(uow, commune)
    await uow.commit()
    return len(created)


async def load_samples(
    *, uow: UnitOfWork, principal: Principal, schools: int, seed: int = SAMPLE_SEED
) -> tuple[ImportReport, ImportReport]:
    """Generate labelled sample schools and their staff and import them as any file would be checked, but
    applied in chunks, each its own transaction: 50,000 schools must not hold the write lock for minutes
    (a commit per chunk lets the outbox relay and other requests write in between). Sample data needs no
    all-or-nothing: a load cut short is completed by loading again with the same seed."""
    communes = (await uow.session.exec(select(Commune).order_by(col(Commune.gso_code)))).all()
    school_rows, staff_rows = await asyncio.to_thread(
        sample_rows,
        [CommuneForSamples(c.gso_code, c.name, c.population, c.cluster_no) for c in communes],
        schools=schools,
        seed=seed,
    )
    school_report = await apply_rows(
        uow=uow,
        importer=SchoolImporter(principal),
        raw=list(enumerate(school_rows, 1)),
        dry_run=False,
        chunk_rows=SAMPLE_CHUNK_ROWS,
    )
    staff_report = await apply_rows(
        uow=uow,
        importer=StaffImporter(principal),
        raw=list(enumerate(staff_rows, 1)),
        dry_run=False,
        chunk_rows=SAMPLE_CHUNK_ROWS,
    )
    return school_report, staff_report


async def republish_all(*, uow: UnitOfWork) -> dict[str, int]:
    """Record every entity's current state again, for a consumer that must rebuild its replica."""
    clusters = (await uow.session.exec(select(Cluster))).all()
    for cluster in clusters:
        record_cluster(uow, cluster)
    communes = (await uow.session.exec(select(Commune))).all()
    for commune in communes:
        await record_commune(uow, commune)
    cluster_of_commune = {commune.gso_code: commune.cluster_no for commune in communes}
    schools = (await uow.session.exec(select(School))).all()
    for school in schools:
        record_school(uow, school, cluster_of_commune[school.commune_code])
    staff = (await uow.session.exec(select(Staff))).all()
    for person in staff:
        await staff_service.record(uow, person)
    await uow.commit()
    return {
        "clusters": len(clusters),
        "communes": len(communes),
        "schools": len(schools),
        "staff": len(staff),
    }
