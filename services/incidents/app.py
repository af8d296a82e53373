"""The incidents service's composition root: settings, tables, routes, the registry replica with its
re-routing hooks (and the people a signed-in caller's scope is read from), the catalog seed and the
escalation scheduler, wired into one app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.incidents.action_links.api import router as action_links_router
from services.incidents.catalog import service as catalog
from services.incidents.catalog.api import router as catalog_router
from services.incidents.catalog.queries import CATALOG_CHANGED, read_catalog
from services.incidents.filing.api import router as filing_router
from services.incidents.incidents import handlers as rerouting
from services.incidents.incidents.api import router as incidents_router
from services.incidents.jobs.escalations import EscalationScheduler, escalation_job, instance_name
from services.incidents.metrics import IncidentMetrics
from services.incidents.replica.handlers import registry_replica_consumer
from services.incidents.replica.models import ReplicaMembership, ReplicaStaff
from services.incidents.reports.api import router as reports_router
from services.incidents.settings import IncidentsSettings
from services.incidents.tables import INCIDENTS_METADATA
from shared.auth.action_links import ActionLinkVerifier
from shared.clock import Clock, system_clock
from shared.db.kept import Kept
from shared.events.topics import INCIDENT_EVENTS
from shared.replica.people import person_lookup
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
        # Filing first: POST /incidents stays listed before GET /incidents, as it always was.
        routers=[filing_router, incidents_router, catalog_router, reports_router, action_links_router],
        publishes=[INCIDENT_EVENTS],
        consumers=[
            registry_replica_consumer(
                after_commune_change=rerouting.route_waiting_for_commune,
                after_school_change=rerouting.route_waiting_for_school,
            )
        ],
        on_startup=seed,
        people=person_lookup(ReplicaStaff, ReplicaMembership),
    )
    runtime: ServiceRuntime = app.state.runtime
    metrics = IncidentMetrics(runtime.metrics.registry)
    scheduler = EscalationScheduler(
        unit_of_work=runtime.messaging.unit_of_work,
        clock=clock,
        instance_id=instance_name(settings.scheduler_instance_id),
        batch_size=settings.scheduler_batch_size,
        metrics=metrics,
    )
    app.state.clock = clock
    app.state.catalog = Kept(read_catalog, changed_on=CATALOG_CHANGED, ttl_s=settings.reference_cache_ttl_s)
    app.state.catalog.listen(runtime.messaging.wakeups)
    app.state.incident_metrics = metrics
    app.state.scheduler = scheduler
    app.state.action_link_verifier = ActionLinkVerifier(settings.action_link_public_key)

    if settings.scheduler_enabled:
        runtime.add_job(escalation_job(scheduler, interval_s=settings.scheduler_interval_s))
    return app
