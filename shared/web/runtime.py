"""What a running service holds for its routes: settings, database, messaging and metrics.

Built once per app by ``create_service_app`` and reached from a request through ``app.state``, never
through module globals, so tests can run several apps side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import TokenCodec
from shared.auth.authenticator import Authenticator
from shared.db import UnitOfWork
from shared.jobs import PeriodicJob
from shared.messaging import Messaging
from shared.observability import ServiceMetrics
from shared.settings import ServiceSettings


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    messaging: Messaging
    metrics: ServiceMetrics
    token_codec: TokenCodec
    authenticator: Authenticator
    jobs: list[PeriodicJob] = field(default_factory=list)
    """Background loops, started after the start-up hook and stopped before messaging stops."""

    def add_job(self, job: PeriodicJob) -> PeriodicJob:
        self.jobs.append(job)
        for signal in job.wake_on:
            self.messaging.wakeups.on(signal, job.wake)
        return job


def service_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def unit_of_work(request: Request) -> Any:
    """One unit of work per request; what the use case does not commit is rolled back."""
    async with service_runtime(request).messaging.unit_of_work() as uow:
        yield uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work)]
