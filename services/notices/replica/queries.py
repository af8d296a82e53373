"""Reads of the registry replica the concepts share: schools and communes by what an audience names."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlmodel import col, select

from services.notices.replica.models import CommuneReplica, SchoolReplica
from shared.db import UnitOfWork


async def school(uow: UnitOfWork, code: str) -> SchoolReplica | None:
    return await uow.session.get(SchoolReplica, code)


async def commune(uow: UnitOfWork, gso_code: str) -> CommuneReplica | None:
    return await uow.session.get(CommuneReplica, gso_code)


async def schools_by_code(uow: UnitOfWork, codes: Collection[str]) -> dict[str, SchoolReplica]:
    if not codes:
        return {}
    query = select(SchoolReplica).where(col(SchoolReplica.code).in_(list(codes)))
    return {row.code: row for row in (await uow.session.exec(query)).all()}


async def communes_by_code(uow: UnitOfWork, codes: Collection[str]) -> dict[str, CommuneReplica]:
    if not codes:
        return {}
    query = select(CommuneReplica).where(col(CommuneReplica.gso_code).in_(list(codes)))
    return {row.gso_code: row for row in (await uow.session.exec(query)).all()}


async def active_schools(
    uow: UnitOfWork,
    *,
    cluster_nos: Collection[int] = (),
    commune_codes: Collection[str] = (),
    levels: Collection[str] = (),
) -> Sequence[SchoolReplica]:
    """Active schools matching every list given (an empty list restricts nothing), by code."""
    query = select(SchoolReplica).where(col(SchoolReplica.status) == "active")
    if cluster_nos:
        query = query.where(col(SchoolReplica.cluster_no).in_(list(cluster_nos)))
    if commune_codes:
        query = query.where(col(SchoolReplica.commune_code).in_(list(commune_codes)))
    if levels:
        query = query.where(col(SchoolReplica.level).in_(list(levels)))
    return (await uow.session.exec(query.order_by(col(SchoolReplica.code)))).all()


async def communes(
    uow: UnitOfWork, *, every: bool = False, cluster_nos: Collection[int] = (), codes: Collection[str] = ()
) -> Sequence[CommuneReplica]:
    """Every commune, or those of the clusters and those named (a union), by code."""
    query = select(CommuneReplica)
    if not every:
        clauses = []
        if cluster_nos:
            clauses.append(col(CommuneReplica.cluster_no).in_(list(cluster_nos)))
        if codes:
            clauses.append(col(CommuneReplica.gso_code).in_(list(codes)))
        if not clauses:
            return []
        condition = clauses[0] if len(clauses) == 1 else clauses[0] | clauses[1]
        query = query.where(condition)
    return (await uow.session.exec(query.order_by(col(CommuneReplica.gso_code)))).all()
