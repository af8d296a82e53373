"""Move use cases: a commune's new cluster from a date, and the moves dated ahead taking effect on their day.

When a move takes effect, the commune's schools are published again with the new cluster, so consumers that
route by a school's cluster follow the move without joining communes themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import or_
from sqlmodel import col, select

from services.registry.clusters.domain import close_current_assignment, cluster_on
from services.registry.clusters.queries import get_cluster
from services.registry.communes.models import Commune, CommuneAssignment
from services.registry.communes.queries import commune_history, get_commune
from services.registry.communes.service import record_commune
from services.registry.moves.models import CommuneMove
from services.registry.schools.queries import schools_of_commune
from services.registry.schools.service import record_school
from services.registry.tables import apply_changes, touch
from shared.db import UnitOfWork
from shared.errors import Conflict, Unprocessable


async def move_commune(*, uow: UnitOfWork, gso_code: str, move: CommuneMove, today: date) -> Commune:
    """Assign a commune to another cluster (or to the Department) from a date, keeping the history.

    A move dated ahead waits in the history until ``apply_due_moves`` reaches its day.
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

    Run at start and then periodically (jobs/commune_moves.py); running it twice (or on two instances)
    changes nothing more.
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
