"""Reminders before a reply date: each addressee who has not acknowledged a notice is reminded once when
its reply date is within ``REMINDER_LEAD_HOURS`` (an event the notifications service turns into email).

Each reminder is claimed by a conditional UPDATE of its receipt, so several instances remind once.
"""

from __future__ import annotations

from datetime import timedelta

from services.notices.receipts import service as receipts
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.jobs import PeriodicJob

BATCH = 200


def reminders_job(
    *,
    unit_of_work: UnitOfWorkFactory,
    interval_s: float,
    lead: timedelta,
    secret: str,
    links_base_url: str,
    clock: Clock,
) -> PeriodicJob:
    async def remind() -> bool:
        async with unit_of_work() as uow:
            sent = await receipts.remind_due(
                uow=uow, now=clock(), lead=lead, secret=secret, base_url=links_base_url, limit=BATCH
            )
        return sent >= BATCH

    return PeriodicJob("notice-reminders", remind, interval_s=interval_s)
