"""The due-moves loop: moves of communes dated ahead take effect on their day (Vietnam's calendar)."""

from __future__ import annotations

from services.registry.moves.service import apply_due_moves
from shared.clock import today_in_vietnam
from shared.db import UnitOfWorkFactory
from shared.jobs import PeriodicJob


def commune_moves_job(*, unit_of_work: UnitOfWorkFactory, interval_s: float) -> PeriodicJob:
    async def apply_moves_due_today() -> bool:
        async with unit_of_work() as uow:
            await apply_due_moves(uow=uow, today=today_in_vietnam())
        return False  # one pass reaches every due move: nothing waits for the next

    return PeriodicJob("due-commune-moves", apply_moves_due_today, interval_s=interval_s)
