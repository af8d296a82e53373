"""The incidents service's composition root: settings, tables, routes, the registry replica, the catalog
seed and the escalation scheduler, wired into one app."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

from fastapi import FastAPI

from services.incidents.api import ROUTERS
from services.incidents.catalog import service as catalog
from services.incidents.incidents import handlers as rerouting
from services.incidents.metrics import IncidentMetrics
from services.incidents.models import INCIDENTS_METADATA
from services.incidents.replica.handlers import registry_replica_consumer
from services.incidents.scheduler import EscalationScheduler
from services.incidents.settings import IncidentsSettings
from shared.clock import Clock, system_clock
from shared.events.topics import INCIDENT_EVENTS
from shared.jobs import PeriodicJob
from shared.web import ServiceRuntime, create_service_app


def create_app(settings: IncidentsSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or IncidentsSettings()

    async def seed(runtime: ServiceRuntime) -> None:
        if settings.seed_catalog_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await catalog.seed_catalog(uow=uow)

    app = create_service_app(
        settings,
        title="edu-clusters incidents",
        description="Report, route, acknowledge, escalate and resolve unusual incidents at schools.",
        metadata=INCIDENTS_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=ROUTERS,
        publishes=[INCIDENT_EVENTS],
        consumers=[
            registry_replica_consumer(
                after_commune_change=rerouting.route_waiting_for_commune,
                after_school_change=rerouting.route_waiting_for_school,
            )
        ],
        on_startup=seed,
    )
    runtime: ServiceRuntime = app.state.runtime
    metrics = IncidentMetrics(runtime.metrics.registry)
    scheduler = EscalationScheduler(
        unit_of_work=runtime.messaging.unit_of_work,
        clock=clock,
        instance_id=settings.scheduler_instance_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}",
        batch_size=settings.scheduler_batch_size,
        metrics=metrics,
    )
    app.state.clock = clock
    app.state.incident_metrics = metrics
    app.state.scheduler = scheduler

    if settings.scheduler_enabled:
        runtime.add_job(
            PeriodicJob("escalation-scheduler", scheduler.run_once, interval_s=settings.scheduler_interval_s)
        )
    return app
