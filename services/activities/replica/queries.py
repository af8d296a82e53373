"""Reads of the registry replica that the use cases share."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.registrations.domain import SchoolFacts, StaffFacts
from services.activities.replica.models import ClusterReplica, CommuneReplica, SchoolReplica, StaffReplica
from shared.auth import Principal, Role
from shared.db import UnitOfWork


async def school_facts(uow: UnitOfWork, code: str) -> SchoolFacts | None:
    school = await uow.session.get(SchoolReplica, code)
    if school is None:
        return None
    return SchoolFacts(
        code=school.code, level=school.level, cluster_no=school.cluster_no, status=school.status
    )


async def staff_facts(uow: UnitOfWork, code: str | None) -> StaffFacts | None:
    staff = await uow.session.get(StaffReplica, code) if code else None
    if staff is None:
        return None
    return StaffFacts(
        code=staff.code,
        full_name=staff.full_name,
        roles=tuple(staff.roles),
        school_code=staff.school_code,
        subject=staff.teaching_subject,
        active=staff.active,
    )


async def all_schools(uow: UnitOfWork) -> list[SchoolFacts]:
    rows = (await uow.session.exec(select(SchoolReplica).order_by(col(SchoolReplica.code)))).all()
    return [SchoolFacts(code=s.code, level=s.level, cluster_no=s.cluster_no, status=s.status) for s in rows]


async def active_cluster_nos(uow: UnitOfWork) -> list[int]:
    query = (
        select(ClusterReplica.cluster_no)
        .where(col(ClusterReplica.active))
        .order_by(col(ClusterReplica.cluster_no))
    )
    return list((await uow.session.exec(query)).all())


async def school_names(uow: UnitOfWork, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = (await uow.session.exec(select(SchoolReplica).where(col(SchoolReplica.code).in_(codes)))).all()
    return {row.code: row.name for row in rows}


async def school_clusters(uow: UnitOfWork, codes: set[str]) -> dict[str, int | None]:
    if not codes:
        return {}
    query = select(SchoolReplica.code, SchoolReplica.cluster_no).where(col(SchoolReplica.code).in_(codes))
    return dict((await uow.session.exec(query)).all())


async def home_cluster(uow: UnitOfWork, principal: Principal) -> int | None:
    """The cluster of a principal's school or a commune officer's commune, as the replica knows it now."""
    if principal.role is Role.SCHOOL_PRINCIPAL and principal.school_id:
        school = await uow.session.get(SchoolReplica, principal.school_id)
        return school.cluster_no if school else None
    if principal.role is Role.COMMUNE_OFFICER and principal.commune_code:
        commune = await uow.session.get(CommuneReplica, principal.commune_code)
        return commune.cluster_no if commune else None
    return None
