"""The notices service's composition root: settings, tables, routes, the replica and deliveries
consumers, the reminders and overdue-returns jobs, and the shipped return forms.

Concepts sit in layers: the replica lowest, then audience, links and forms, notices (drafts),
attachments, receipts (reading, acknowledging, reminders), returns, and publishing on top.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.notices.attachments.api import router as attachments_router
from services.notices.forms import service as forms
from services.notices.forms.api import router as forms_router
from services.notices.jobs.metrics import metrics_job
from services.notices.jobs.reminders import reminders_job
from services.notices.jobs.returns_overdue import overdue_returns_job
from services.notices.metrics import NoticeMetrics
from services.notices.notices.api import router as notices_router
from services.notices.publishing.api import router as publishing_router
from services.notices.receipts.api import router as receipts_router
from services.notices.receipts.handlers import deliveries_consumer
from services.notices.replica.handlers import replica_consumer
from services.notices.replica.models import MembershipReplica, StaffReplica
from services.notices.returns.api import router as returns_router
from services.notices.settings import NoticesSettings
from services.notices.tables import NOTICES_METADATA
from shared.clock import Clock, system_clock
from shared.events.topics import NOTICE_EVENTS
from shared.replica.people import person_lookup
from shared.web import ServiceRuntime, create_service_app


def create_app(settings: NoticesSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or NoticesSettings()

    async def seed(runtime: ServiceRuntime) -> None:
        settings.files_dir.mkdir(parents=True, exist_ok=True)
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await forms.seed_forms(uow=uow)

    app = create_service_app(
        settings,
        title="edu-clusters notices",
        description="The Department's notices to school principals and communes, with attachments, "
        "receipts, reminders, and the periodic returns schools file on them.",
        metadata=NOTICES_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            forms_router,
            notices_router,
            attachments_router,
            publishing_router,
            receipts_router,
            returns_router,
        ],
        publishes=[NOTICE_EVENTS],
        consumers=[replica_consumer, deliveries_consumer],
        on_startup=seed,
        people=person_lookup(StaffReplica, MembershipReplica),
    )
    runtime: ServiceRuntime = app.state.runtime
    metrics = NoticeMetrics(runtime.metrics.registry)
    app.state.notice_metrics = metrics
    runtime.add_job(
        metrics_job(
            unit_of_work=runtime.messaging.unit_of_work,
            metrics=metrics,
            interval_s=settings.metrics_interval_s,
            clock=clock,
        )
    )
    if settings.jobs_enabled:
        runtime.add_job(
            reminders_job(
                unit_of_work=runtime.messaging.unit_of_work,
                interval_s=settings.reminders_interval_s,
                lead=timedelta(hours=settings.reminder_lead_hours),
                secret=settings.link_secret.get_secret_value(),
                links_base_url=f"{settings.public_base_url.rstrip('/')}/links",
                clock=clock,
            )
        )
        runtime.add_job(
            overdue_returns_job(
                unit_of_work=runtime.messaging.unit_of_work,
                interval_s=settings.overdue_returns_interval_s,
                clock=clock,
            )
        )
    return app
