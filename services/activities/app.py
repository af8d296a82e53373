"""The activities service's composition root: wires settings, tables, routes, the replica and seeding."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.activities.activities.api import router as activities_router
from services.activities.activities.closing import closing_job
from services.activities.delegations.api import router as delegations_router
from services.activities.divisions import service as divisions
from services.activities.divisions.api import router as divisions_router
from services.activities.models import ACTIVITIES_METADATA
from services.activities.proposals.api import router as proposals_router
from services.activities.registrations.api import router as registrations_router
from services.activities.replica.handlers import registry_replica
from services.activities.results.api import router as results_router
from services.activities.rules import RuleBroken
from services.activities.settings import ActivitiesSettings
from services.activities.support.api import router as support_router
from services.activities.tables import utc_now
from shared.events.topics import ACTIVITY_EVENTS
from shared.web import ServiceRuntime, create_service_app


async def _rule_broken(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuleBroken)
    body: dict[str, object] = {"detail": f"{exc.rule}: {exc.message}", "rule": exc.rule}
    if exc.field:
        body["field"] = exc.field
    return JSONResponse(body, status_code=exc.status_code)


def create_app(settings: ActivitiesSettings | None = None) -> FastAPI:
    settings = settings or ActivitiesSettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await divisions.seed_divisions(uow=uow)

    app = create_service_app(
        settings,
        title="edu-clusters activities",
        description="Professional activities, contests, delegations, the support program and proposals.",
        metadata=ACTIVITIES_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            divisions_router,
            activities_router,
            registrations_router,
            results_router,
            delegations_router,
            support_router,
            proposals_router,
        ],
        publishes=[ACTIVITY_EVENTS],
        consumers=[registry_replica],
        on_startup=seed,
    )
    runtime: ServiceRuntime = app.state.runtime
    runtime.add_job(
        closing_job(
            unit_of_work=runtime.messaging.unit_of_work,
            interval_s=settings.registration_check_interval_s,
            clock=utc_now,
        )
    )
    app.add_exception_handler(RuleBroken, _rule_broken)
    return app
