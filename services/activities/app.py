"""The activities service's composition root: wires settings, tables, routes, the replica, jobs and seeding.

Concepts sit in layers: the replica lowest, then access and divisions, activities, registrations (which
keep the activities' places), and results, delegations and support on top. Activities' own routes need
the places, so they are built here with them. The routers and the replica consumer import every
concept's tables, which completes ``ACTIVITIES_METADATA``. A signed-in person's scope is read from the
replica's people on every request (``person_lookup``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.activities.activities.api import activities_router
from services.activities.delegations.api import router as delegations_router
from services.activities.divisions.api import router as divisions_router
from services.activities.divisions.seed import seed_divisions
from services.activities.jobs.registration_closing import registration_closing_job
from services.activities.proposals.api import router as proposals_router
from services.activities.registrations.api import router as registrations_router
from services.activities.registrations.service import PLACES
from services.activities.replica.handlers import replica_consumer
from services.activities.replica.models import MembershipReplica, StaffReplica
from services.activities.results.api import router as results_router
from services.activities.settings import ActivitiesSettings
from services.activities.support.api import router as support_router
from services.activities.support.seed import seed_periods
from services.activities.tables import ACTIVITIES_METADATA
from shared.clock import utc_now
from shared.events.topics import ACTIVITY_EVENTS
from shared.replica.people import person_lookup
from shared.web import ServiceRuntime, create_service_app


def create_app(settings: ActivitiesSettings | None = None) -> FastAPI:
    settings = settings or ActivitiesSettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await seed_divisions(uow=uow)
            async with runtime.messaging.unit_of_work() as uow:
                await seed_periods(uow=uow)

    app = create_service_app(
        settings,
        title="edu-clusters activities",
        description="Professional activities, contests, delegations, the support program and proposals.",
        metadata=ACTIVITIES_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            divisions_router,
            activities_router(PLACES),
            registrations_router,
            results_router,
            delegations_router,
            support_router,
            proposals_router,
        ],
        publishes=[ACTIVITY_EVENTS],
        consumers=[replica_consumer],
        on_startup=seed,
        people=person_lookup(StaffReplica, MembershipReplica),
    )
    runtime: ServiceRuntime = app.state.runtime
    runtime.add_job(
        registration_closing_job(
            unit_of_work=runtime.messaging.unit_of_work,
            interval_s=settings.registration_check_interval_s,
            clock=utc_now,
        )
    )
    return app
