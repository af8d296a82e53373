"""The incidents service's test set-up: the app running beside a stand-in registry whose states its
replica has received, on a clock that stands still; and an incident row with one acknowledgement escalation
step due, written straight to the database (tests of the scheduler's claim race against it; going through
the API would plan a whole chain of steps).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from services.incidents.app import create_app
from services.incidents.incidents.models import EscalationJob, Incident
from services.incidents.settings import IncidentsSettings
from shared.db import session_factory
from shared.events.base import EventPayload
from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, RouteKind
from shared.settings import Environment
from tests.support.apps import running, runtime_of
from tests.support.harness import start_stand_in_registry
from tests.support.waiting import wait_for


class FixedClock:
    """The service's clock, standing at ``now`` until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


StartIncidents = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]
"""``incidents_beside_registry`` with the test's broker, topics and SQLite bound (the ``start_incidents``
fixture)."""


@asynccontextmanager
async def incidents_beside_registry(
    *,
    bootstrap: str,
    prefix: str,
    sqlite_url: Callable[[str], str],
    data_dir: Path,
    states: Sequence[EventPayload],
    clock: FixedClock,
    replicated: Callable[[AsyncSession], Awaitable[bool]],
    what: str,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The incidents app (scheduler off) and its client, once ``replicated`` holds in its replica of the
    ``states`` a stand-in registry published."""
    registry = await start_stand_in_registry(
        bootstrap=bootstrap, prefix=prefix, database_url=sqlite_url("registry"), states=states
    )
    settings = IncidentsSettings(
        environment=Environment.TEST,
        database_url=sqlite_url("incidents"),
        data_dir=data_dir,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        kafka_session_timeout_ms=6_000,
        kafka_heartbeat_interval_ms=500,
        scheduler_enabled=False,
    )
    app = create_app(settings, clock=clock)
    async with running(app) as client:

        async def ready() -> bool:
            async with runtime_of(app).sessions() as session:
                return await replicated(session)

        await wait_for(ready, message=what, within=60)
        yield app, client
    await registry.stop()


async def incident_with_a_due_step(
    engine: AsyncEngine, *, reported_at: datetime, acknowledge_due_at: datetime, resolve_due_at: datetime
) -> int:
    """Incident ``i-1`` of cluster 3, not acknowledged, its first step due at the deadline; the step's id."""
    async with session_factory(engine)() as session:
        session.add(
            Incident(
                id="i-1",
                reference="INC-1",
                commune_code="16939",
                cluster_no=3,
                route=RouteKind.CLUSTER,
                category="other",
                severity="low",
                status=IncidentStatus.REPORTED,
                title="t",
                description="d",
                occurred_at=reported_at,
                reported_at=reported_at,
                reporter_subject="s",
                reporter_role="department_officer",
                acknowledge_due_at=acknowledge_due_at,
                resolve_due_at=resolve_due_at,
            )
        )
        await session.flush()
        job = EscalationJob(
            incident_id="i-1",
            deadline=DeadlineKind.ACKNOWLEDGEMENT,
            deadline_at=acknowledge_due_at,
            step=1,
            level=EscalationLevel.CLUSTER_LEADER,
            notify_role="cluster_leader",
            due_at=acknowledge_due_at,
        )
        session.add(job)
        await session.commit()
        assert job.id is not None
        return job.id
