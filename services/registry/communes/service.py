"""Commune use cases: the old districts, communes and wards, their contacts and their history.

Moving a commune to another cluster republishes its schools, so moves sit above schools, in moves/.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from services.registry.clusters.service import get_cluster
from services.registry.communes.models import (
    Commune,
    CommuneAssignment,
    CommuneCreate,
    CommuneUpdate,
    OldDistrict,
)
from services.registry.tables import apply_changes, full_state
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import CommuneStateV1
from shared.text import fold


async def record_commune(uow: UnitOfWork, commune: Commune) -> None:
    district = await uow.session.get(OldDistrict, commune.old_district_code)
    assert district is not None  # a foreign key
    uow.record(full_state(CommuneStateV1, commune, old_district_name=district.name))


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


async def create_commune(*, uow: UnitOfWork, data: CommuneCreate) -> Commune:
    """A commune-level unit formed later (a merger or split), with its first cluster assignment."""
    if await uow.session.get(Commune, data.gso_code) is not None:
        raise Conflict(f"commune {data.gso_code} already exists", field="gso_code")
    if await uow.session.get(OldDistrict, data.old_district_code) is None:
        raise Unprocessable(
            f"old district {data.old_district_code} does not exist", field="old_district_code"
        )
    if data.cluster_no is not None:
        await get_cluster(uow=uow, cluster_no=data.cluster_no)
    commune = Commune.model_validate(data, update={"search_name": fold(data.name)})
    uow.session.add(commune)
    uow.session.add(
        CommuneAssignment(
            commune_code=data.gso_code, cluster_no=data.cluster_no, valid_from=data.assigned_from
        )
    )
    await record_commune(uow, commune)
    await uow.commit()
    return commune


async def update_commune(*, uow: UnitOfWork, gso_code: str, data: CommuneUpdate) -> Commune:
    commune = await get_commune(uow=uow, gso_code=gso_code)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes:
        changes["search_name"] = fold(changes["name"])
    if apply_changes(commune, changes, datetime.now(UTC)):
        await record_commune(uow, commune)
        await uow.commit()
    return commune


async def commune_history(*, uow: UnitOfWork, gso_code: str) -> Sequence[CommuneAssignment]:
    await get_commune(uow=uow, gso_code=gso_code)
    query = (
        select(CommuneAssignment)
        .where(CommuneAssignment.commune_code == gso_code)
        .order_by(col(CommuneAssignment.valid_from))
    )
    return (await uow.session.exec(query)).all()
