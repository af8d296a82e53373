"""Commune use cases: the old districts, communes and wards, their contacts, and moves between clusters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import col, select

from services.registry.clusters.service import get_cluster
from services.registry.communes.models import (
    Commune,
    CommuneAssignment,
    CommuneCreate,
    CommuneMove,
    CommuneUpdate,
    OldDistrict,
)
from services.registry.domain.assignments import close_current_assignment, cluster_on
from services.registry.domain.states import full_state
from services.registry.domain.text import fold
from services.registry.domain.versioning import apply_changes, touch
from services.registry.schools.service import record_school, schools_of_commune
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import Conflict, NotFound, Unprocessable
from shared.events import CommuneStateV1


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


async def move_commune(*, uow: UnitOfWork, gso_code: str, move: CommuneMove, today: date) -> Commune:
    """Assign a commune to another cluster (or to the Department) from a date, keeping the history.

    A move dated ahead waits in the history until ``apply_due_moves`` reaches its day. When a move takes
    effect, the commune's schools are published again with the new cluster, so consumers that route by a
    school's cluster follow the move without joining communes themselves.
    """
    commune = await get_commune(uow=uow, gso_code=gso_code)
    if move.cluster_no is not None:
        await get_cluster(uow=uow, cluster_no=move.cluster_no)
    history = await commune_history(uow=uow, gso_code=gso_code)
    if move.cluster_no == history[-1].cluster_no:
        raise Conflict(
            f"commune {gso_code} is already assigned to cluster {move.cluster_no}", field="cluster_no"
        )
    try:
        close_current_assignment(history, effective_from=move.effective_from)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="effective_from") from exc
    uow.session.add(
        CommuneAssignment(commune_code=gso_code, cluster_no=move.cluster_no, valid_from=move.effective_from)
    )
    await uow.session.flush()
    in_force = cluster_on(await commune_history(uow=uow, gso_code=gso_code), today)
    if in_force != commune.cluster_no:
        await _reassign(uow, commune, in_force)
    await uow.commit()
    return commune


async def apply_due_moves(*, uow: UnitOfWork, today: date) -> int:
    """Give each commune the cluster of the assignment in force today: moves dated ahead take effect here.

    Run at start and then periodically; running it twice (or on two instances) changes nothing more.
    """
    in_force = (
        select(Commune, CommuneAssignment.cluster_no)
        .join(CommuneAssignment, col(CommuneAssignment.commune_code) == col(Commune.gso_code))
        .where(col(CommuneAssignment.valid_from) <= today)
        .where(or_(col(CommuneAssignment.valid_to).is_(None), col(CommuneAssignment.valid_to) >= today))
        .where(col(Commune.cluster_no).is_distinct_from(col(CommuneAssignment.cluster_no)))
    )
    due = (await uow.session.exec(in_force)).all()
    for commune, cluster_no in due:
        await _reassign(uow, commune, cluster_no)
    await uow.commit()
    return len(due)


async def _reassign(uow: UnitOfWork, commune: Commune, cluster_no: int | None) -> None:
    now = datetime.now(UTC)
    apply_changes(commune, {"cluster_no": cluster_no}, now)
    await record_commune(uow, commune)
    for school in await schools_of_commune(uow, commune.gso_code):
        touch(school, now)
        record_school(uow, school, cluster_no)
