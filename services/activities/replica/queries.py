"""Reads of the registry replica that the use cases share."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.replica.models import ClusterReplica, CommuneReplica, SchoolReplica, StaffReplica
from shared.db import UnitOfWork


async def school(uow: UnitOfWork, code: str) -> SchoolReplica | None:
    return await uow.session.get(SchoolReplica, code)


async def commune(uow: UnitOfWork, gso_code: str) -> CommuneReplica | None:
    return await uow.session.get(CommuneReplica, gso_code)


async def staff(uow: UnitOfWork, code: str | None) -> StaffReplica | None:
    return await uow.session.get(StaffReplica, code) if code else None


async def all_schools(uow: UnitOfWork) -> list[SchoolReplica]:
    return list((await uow.session.exec(select(SchoolReplica).order_by(col(SchoolReplica.code)))).all())


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


async def school_places(uow: UnitOfWork, codes: set[str]) -> dict[str, tuple[int | None, str]]:
    """Each school's cluster and commune, as scoping needs them."""
    if not codes:
        return {}
    query = select(SchoolReplica.code, SchoolReplica.cluster_no, SchoolReplica.commune_code).where(
        col(SchoolReplica.code).in_(codes)
    )
    return {
        code: (cluster_no, commune_code)
        for code, cluster_no, commune_code in (await uow.session.exec(query)).all()
    }
