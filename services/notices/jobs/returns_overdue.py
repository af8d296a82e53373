"""On a return's due date, the schools still missing are reported per cluster (an event the
notifications service turns into a message to each cluster's leader), once across instances."""

from __future__ import annotations

from services.notices.returns import service as returns
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.jobs import PeriodicJob

BATCH = 20


def overdue_returns_job(*, unit_of_work: UnitOfWorkFactory, interval_s: float, clock: Clock) -> PeriodicJob:
    async def report() -> bool:
        async with unit_of_work() as uow:
            reported = await returns.report_overdue(uow=uow, now=clock(), limit=BATCH)
        return reported >= BATCH

    return PeriodicJob("overdue-returns", report, interval_s=interval_s)
