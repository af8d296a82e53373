"""The notices gauges, refreshed from the database every ``interval_s`` (a scrape reads the last pass)."""

from __future__ import annotations

from services.notices.metrics import NoticeMetrics
from services.notices.receipts import queries as receipts
from services.notices.returns import queries as returns
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.jobs import PeriodicJob


def metrics_job(
    *, unit_of_work: UnitOfWorkFactory, metrics: NoticeMetrics, interval_s: float, clock: Clock
) -> PeriodicJob:
    async def refresh() -> bool:
        now = clock()
        async with unit_of_work() as uow:
            unacknowledged = await receipts.unacknowledged_past_reply_by(uow=uow, now=now)
            missing = await returns.missing_past_due(uow=uow, now=now)
        metrics.refresh(unacknowledged=unacknowledged, missing=missing)
        return False

    return PeriodicJob("notice-metrics", refresh, interval_s=interval_s)
