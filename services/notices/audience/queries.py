"""An audience against the registry replica: check it for the caller, and resolve it to its addressees."""

from __future__ import annotations

from services.notices.audience import domain
from services.notices.audience.domain import Addressee
from services.notices.replica import queries as replica
from services.notices.replica.models import CommuneReplica, SchoolReplica
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.events.notices import AddresseeKind, CommuneGroupV1, NoticeAudienceV1, addressee_key


async def check(uow: UnitOfWork, principal: Principal, audience: NoticeAudienceV1) -> None:
    """Not empty, naming only known schools and communes, and within the caller's scope (403 otherwise)."""
    domain.check_not_empty(audience)
    schools = await replica.schools_by_code(uow, set(audience.school_codes))
    communes = await replica.communes_by_code(uow, domain.named_commune_codes(audience))
    school_clusters = {code: row.cluster_no for code, row in schools.items()}
    commune_clusters = {code: row.cluster_no for code, row in communes.items()}
    domain.check_known(audience, school_clusters=school_clusters, commune_clusters=commune_clusters)
    domain.check_scope(
        principal, audience, school_clusters=school_clusters, commune_clusters=commune_clusters
    )


async def resolve(uow: UnitOfWork, audience: NoticeAudienceV1) -> list[Addressee]:
    """Everyone the audience names now, once each, ordered by key: schools first, then communes' offices."""
    schools: dict[str, SchoolReplica] = {}
    if audience.all_principals:
        schools.update((s.code, s) for s in await replica.active_schools(uow))
    for group in audience.principal_groups:
        if group.is_empty():
            continue
        found = await replica.active_schools(
            uow,
            cluster_nos=group.cluster_nos,
            commune_codes=group.commune_codes,
            levels=[str(level) for level in group.levels],
        )
        schools.update((s.code, s) for s in found)
    for code, school in (await replica.schools_by_code(uow, set(audience.school_codes))).items():
        if school.status == "active":
            schools[code] = school
    addressees = [_school(school) for school in schools.values()]
    for kind, offices in (
        (AddresseeKind.PEOPLE_COMMITTEE, audience.people_committees),
        (AddresseeKind.CULTURE_OFFICE, audience.culture_offices),
    ):
        if offices is not None and not offices.is_empty():
            addressees += [_office(kind, commune) for commune in await _communes(uow, offices)]
    return sorted(addressees, key=lambda a: (a.kind != AddresseeKind.SCHOOL_PRINCIPAL, a.key))


async def _communes(uow: UnitOfWork, group: CommuneGroupV1) -> list[CommuneReplica]:
    return list(
        await replica.communes(
            uow, every=group.all_communes, cluster_nos=group.cluster_nos, codes=group.commune_codes
        )
    )


def _school(school: SchoolReplica) -> Addressee:
    return Addressee(
        key=addressee_key(AddresseeKind.SCHOOL_PRINCIPAL, school.code),
        kind=AddresseeKind.SCHOOL_PRINCIPAL,
        name=school.name,
        cluster_no=school.cluster_no,
        commune_code=school.commune_code,
        school_code=school.code,
        level=school.level,
        principal_staff_code=school.principal_staff_code,
    )


def _office(kind: AddresseeKind, commune: CommuneReplica) -> Addressee:
    office = "UBND" if kind is AddresseeKind.PEOPLE_COMMITTEE else "Phòng Văn hóa - Xã hội"
    return Addressee(
        key=addressee_key(kind, commune.gso_code),
        kind=kind,
        name=f"{office} {commune.name}",
        cluster_no=commune.cluster_no,
        commune_code=commune.gso_code,
    )
