"""Whole-registry use cases: seed the province's reference data, load sample data and the demo people,
republish every state.

``seed_province``, ``seed_samples`` and (for a local run) ``seed_demo_people`` are the one seed sequence:
the registry's start-up and the operator CLI call them, each with its own units of work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from services.registry.admin.domain import SAMPLE_SEED, CommuneForSamples, sample_rows
from services.registry.admin.seed import (
    DEMO_CLUSTER,
    DEMO_PEOPLE,
    DEMO_SCHOOL,
    REFORM_DATE,
    ClusterSeed,
    CommuneSeed,
    DemoPersonSeed,
    OldDistrictSeed,
    read_clusters,
    read_communes,
    read_old_districts,
)
from services.registry.bulk.models import ImportReport
from services.registry.bulk.service import SAMPLE_CHUNK_ROWS, SchoolImporter, StaffImporter, apply_rows
from services.registry.clusters.models import Cluster, MembershipRole
from services.registry.clusters.service import record_cluster
from services.registry.communes.models import (
    Commune,
    CommuneAssignment,
    CommuneKind,
    DistrictKind,
    OldDistrict,
)
from services.registry.communes.service import record_commune
from services.registry.memberships import service as memberships_service
from services.registry.memberships.models import MembershipCreate
from services.registry.memberships.queries import current_memberships
from services.registry.offices.models import Office
from services.registry.offices.service import record_office
from services.registry.schools import service as schools_service
from services.registry.schools.models import School, SchoolCreate, SchoolLevel, SchoolUpdate
from services.registry.schools.service import record_school
from services.registry.staff import service as staff_service
from services.registry.staff.models import Staff, StaffCreate, StaffRole
from shared.auth import Principal
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.errors import Unprocessable
from shared.text import fold

log = logging.getLogger(__name__)


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


async def seed_demo_people(
    *, unit_of_work: UnitOfWorkFactory, principal: Principal, today: date | None = None
) -> list[str]:
    """Create the demo people that are missing (a local run's, never production's), through the use
    cases, so their states go out as any person's would. Returns the staff codes it created.

    A person already there is left as the registry now has them: seeding twice changes nothing, and a
    change made since (a leader replaced) is not undone at the next start. Needs the province seeded.
    """
    async with unit_of_work() as uow:
        missing = [seed for seed in DEMO_PEOPLE if await uow.session.get(Staff, seed.code) is None]
    if not missing:
        return []
    school: DemoSchool | None = None
    if any(seed.at_demo_school or seed.at_demo_commune for seed in missing):
        async with unit_of_work() as uow:
            school = await _demo_school(uow=uow, principal=principal)
    for seed in missing:
        async with unit_of_work() as uow:
            await staff_service.create_staff(uow=uow, principal=principal, data=_demo_staff(seed, school))
        if seed.at_demo_school and school is not None and not school.has_principal:
            async with unit_of_work() as uow:
                changes = SchoolUpdate(principal_staff_code=seed.code, principal_name=seed.full_name)
                await schools_service.update_school(
                    uow=uow, principal=principal, code=school.code, data=changes
                )
        if seed.membership is not None:
            async with unit_of_work() as uow:
                await _join_demo_cluster(uow, seed.code, MembershipRole(seed.membership), today)
    return [seed.code for seed in missing]


@dataclass(frozen=True)
class DemoSchool:
    code: str
    commune_code: str
    has_principal: bool


async def _demo_school(*, uow: UnitOfWork, principal: Principal) -> DemoSchool:
    """The first sample school of the demo cluster (the demo school sorts first), made if there is none."""
    query = (
        select(School)
        .join(Commune, col(Commune.gso_code) == col(School.commune_code))
        .where(col(School.sample), Commune.cluster_no == DEMO_CLUSTER)
        .order_by(col(School.code))
        .limit(1)
    )
    school = (await uow.session.exec(query)).first()
    if school is not None:
        return DemoSchool(school.code, school.commune_code, school.principal_staff_code is not None)
    data = SchoolCreate(
        code=DEMO_SCHOOL.code,
        name=DEMO_SCHOOL.name,
        level=SchoolLevel(DEMO_SCHOOL.level),
        commune_code=DEMO_SCHOOL.commune_code,
        sample=True,
    )
    await schools_service.create_school(uow=uow, principal=principal, data=data)
    return DemoSchool(DEMO_SCHOOL.code, DEMO_SCHOOL.commune_code, has_principal=False)


def _demo_staff(seed: DemoPersonSeed, school: DemoSchool | None) -> StaffCreate:
    return StaffCreate(
        code=seed.code,
        full_name=seed.full_name,
        roles=[StaffRole(role) for role in seed.roles],
        school_code=school.code if seed.at_demo_school and school is not None else None,
        commune_code=school.commune_code if seed.at_demo_commune and school is not None else None,
        email=seed.email,
        sample=True,
    )


async def _join_demo_cluster(
    uow: UnitOfWork, staff_code: str, role: MembershipRole, today: date | None
) -> None:
    """From the reform; a leader from today when the cluster has one already (whose period this ends)."""
    current = await current_memberships(uow, DEMO_CLUSTER)
    replaces = role is MembershipRole.LEADER and any(m.role is MembershipRole.LEADER for m in current)
    valid_from = (today or today_in_vietnam()) if replaces else REFORM_DATE
    data = MembershipCreate(staff_code=staff_code, role=role, valid_from=valid_from)
    try:
        await memberships_service.add_member(uow=uow, cluster_no=DEMO_CLUSTER, data=data)
    except Unprocessable as exc:  # the leader there began today: the demo person waits, the seed goes on
        log.warning("demo person %s not made %s of cluster %d: %s", staff_code, role, DEMO_CLUSTER, exc)


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
    offices = (await uow.session.exec(select(Office))).all()
    for office in offices:
        record_office(uow, office)
    await uow.commit()
    return {
        "clusters": len(clusters),
        "communes": len(communes),
        "schools": len(schools),
        "staff": len(staff),
        "offices": len(offices),
    }
