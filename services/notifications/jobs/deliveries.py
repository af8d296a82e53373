"""The delivery worker as a periodic job: a pass as soon as a commit planned deliveries (the fan-out's
wake-up, from any instance on PostgreSQL), at once again after a full batch (more is probably due), and
every poll interval for what came due meanwhile (retries, the end of quiet hours)."""

from __future__ import annotations

import socket
import uuid

from services.notifications.action_links.domain import ActionLinks
from services.notifications.channels.adapters import Channels
from services.notifications.deliveries.domain import BackoffPolicy
from services.notifications.deliveries.service import DELIVERIES_PLANNED
from services.notifications.metrics import DeliveryMetrics
from services.notifications.sending.domain import TemplateKey
from services.notifications.sending.service import DeliveryWorker, WorkerConfig
from services.notifications.settings import NotificationsSettings
from services.notifications.templates.domain import TemplateRenderer
from services.notifications.templates.models import Template
from shared.auth.action_links import ActionLinkSigner
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.db.kept import Kept
from shared.jobs import PeriodicJob


def delivery_job(
    *,
    settings: NotificationsSettings,
    unit_of_work: UnitOfWorkFactory,
    channels: Channels,
    renderer: TemplateRenderer,
    clock: Clock,
    metrics: DeliveryMetrics,
    templates: Kept[dict[TemplateKey, Template]],
) -> PeriodicJob:
    worker = DeliveryWorker(
        unit_of_work=unit_of_work,
        templates=templates,
        channels=channels,
        renderer=renderer,
        clock=clock,
        policy=BackoffPolicy(
            max_attempts=settings.delivery_max_attempts,
            base_delay_s=settings.delivery_retry_base_s,
            max_delay_s=settings.delivery_retry_max_s,
        ),
        metrics=metrics,
        config=WorkerConfig(
            batch_size=settings.delivery_batch_size,
            lease_s=settings.delivery_lease_s,
            instance_id=f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}",
        ),
        links=ActionLinks(
            ActionLinkSigner(settings.action_link_private_key.get_secret_value()), settings.console_public_url
        ),
    )

    async def work_due_deliveries() -> bool:
        return await worker.work_due() >= settings.delivery_batch_size

    return PeriodicJob(
        "delivery-worker",
        work_due_deliveries,
        interval_s=settings.delivery_poll_interval_s,
        wake_on=[DELIVERIES_PLANNED],
    )
