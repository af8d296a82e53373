"""Commune reads: old districts, communes and wards by cluster, district or name, and their history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from services.registry.communes.models import Commune, CommuneAssignment, OldDistrict
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound
from shared.text import fold


async def list_old_districts(*, uow: UnitOfWork) -> Sequence[OldDistrict]:
    return (await uow.session.exec(select(OldDistrict).order_by(col(OldDistrict.gso_code)))).all()


async def list_communes(
    *,
    uow: UnitOfWork,
    limit: int,
    offset: int,
    cluster_no: int | None = None,
    old_district_code: str | None = None,
    unclustered: bool = False,
    q: str | None = None,
) -> tuple[Sequence[Commune], int]:
    query: Any = select(Commune).order_by(col(Commune.gso_code))
    if cluster_no is not None:
        query = query.where(Commune.cluster_no == cluster_no)
    if unclustered:
        query = query.where(col(Commune.cluster_no).is_(None))
    if old_district_code is not None:
        query = query.where(Commune.old_district_code == old_district_code)
    if q:
        query = query.where(col(Commune.search_name).contains(fold(q)))
    rows, total = await fetch_page(uow.session, query, limit=limit, offset=offset)
    return rows, total


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
