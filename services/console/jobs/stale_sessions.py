"""Idle sessions and abandoned sign-ins are deleted: their tokens do not outlive their use."""

from __future__ import annotations

from datetime import timedelta

from services.console.signin import service as signin
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.jobs import PeriodicJob


def stale_sessions_job(
    *, unit_of_work: UnitOfWorkFactory, idle: timedelta, sign_in_within: timedelta, clock: Clock
) -> PeriodicJob:
    async def forget() -> bool:
        async with unit_of_work() as uow:
            await signin.forget_stale(uow, now=clock(), idle=idle, sign_in_within=sign_in_within)
        return False

    return PeriodicJob("console-stale-sessions", forget, interval_s=300)
