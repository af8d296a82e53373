"""The notifications service's composition root: settings, tables, routes, the replica and fan-out
consumers, the channels, the delivery worker and (in development) the mail catcher, wired into one app."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notifications import dev_api
from services.notifications.channels.base import Channel
from services.notifications.channels.email import EmailChannel, SmtpConfig
from services.notifications.channels.http import SmsChannel, SmsGatewayConfig, WebhookChannel
from services.notifications.channels.inbox import InboxChannel
from services.notifications.deliveries.api import router as deliveries_router
from services.notifications.deliveries.dispatch import DispatchConfig
from services.notifications.deliveries.domain import BackoffPolicy
from services.notifications.deliveries.worker import DeliveryWorker, WorkerConfig
from services.notifications.handlers import fan_out_consumer, registry_replica
from services.notifications.inbox.api import router as inbox_router
from services.notifications.mailcatcher import MailCatcher
from services.notifications.metrics import DeliveryMetrics
from services.notifications.models import NOTIFICATIONS_METADATA
from services.notifications.preferences.api import router as preferences_router
from services.notifications.recipients.domain import DepartmentDesk, Recipient, department_key
from services.notifications.recipients.service import DepartmentContacts
from services.notifications.replica.api import router as replica_router
from services.notifications.rules import service as rules
from services.notifications.rules.api import router as rules_router
from services.notifications.settings import NotificationsSettings
from services.notifications.tables import Clock, system_clock
from services.notifications.templates import service as templates
from services.notifications.templates.api import router as templates_router
from services.notifications.templates.domain import TemplateRenderer
from services.notifications.webhooks.api import router as webhooks_router
from shared.events.notifications import DeliveryChannel
from shared.events.topics import NOTIFICATION_EVENTS
from shared.jobs import PeriodicJob
from shared.settings import Environment
from shared.web import ServiceRuntime, create_service_app


def create_app(settings: NotificationsSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or NotificationsSettings()
    development = settings.environment in (Environment.DEVELOPMENT, Environment.TEST)
    catcher = MailCatcher(port=settings.mail_catcher_port) if settings.mail_catcher and development else None
    http_client = httpx.AsyncClient(timeout=settings.http_timeout_s)
    channels: dict[DeliveryChannel, Channel] = {
        DeliveryChannel.EMAIL: EmailChannel(_smtp_config(settings, catcher)),
        DeliveryChannel.IN_APP: InboxChannel(),
        DeliveryChannel.WEBHOOK: WebhookChannel(
            http_client, allow_private=development, timeout_s=settings.http_timeout_s
        ),
    }
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
        gateway = SmsGatewayConfig(
            settings.sms_gateway_url, token, settings.sms_sender, settings.http_timeout_s
        )
        channels[DeliveryChannel.SMS] = SmsChannel(gateway, http_client)
    dispatch_config = DispatchConfig(
        department=_department(settings),
        channels=frozenset(channels) - {DeliveryChannel.WEBHOOK},
    )
    renderer = TemplateRenderer()
    worker: DeliveryWorker | None = None

    async def start(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await rules.seed_rules(uow=uow)
            async with runtime.messaging.unit_of_work() as uow:
                await templates.seed_templates(uow=uow)
        if catcher is not None:
            await asyncio.to_thread(catcher.start)

    async def stop(_runtime: ServiceRuntime) -> None:
        assert worker is not None
        await worker.close()
        await http_client.aclose()
        if catcher is not None:
            await asyncio.to_thread(catcher.stop)

    routers = [
        replica_router,
        rules_router,
        templates_router,
        preferences_router,
        inbox_router,
        deliveries_router,
        webhooks_router,
    ]
    app = create_service_app(
        settings,
        title="edu-clusters notifications",
        description="Delivers the events that matter to the people who must hear of them: email, SMS, "
        "signed webhooks and an in-app inbox, once each, with retries, quiet hours and digests.",
        metadata=NOTIFICATIONS_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[*routers, dev_api.router] if development else routers,
        publishes=[NOTIFICATION_EVENTS],
        consumers=[registry_replica, fan_out_consumer(dispatch_config, clock)],
        on_startup=start,
        on_shutdown=stop,
    )
    runtime: ServiceRuntime = app.state.runtime
    metrics = DeliveryMetrics(runtime.metrics.registry)
    worker = DeliveryWorker(
        unit_of_work=runtime.messaging.unit_of_work,
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
            concurrency=settings.delivery_concurrency,
            poll_interval_s=settings.delivery_poll_interval_s,
            lease_s=settings.delivery_lease_s,
            send_deadline_s=settings.delivery_send_deadline_s,
            instance_id=f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}",
        ),
    )
    if settings.delivery_worker_enabled:
        runtime.add_job(
            PeriodicJob("delivery-worker", worker.run_once, interval_s=settings.delivery_poll_interval_s)
        )
    app.state.clock = clock
    app.state.template_renderer = renderer
    app.state.http_client = http_client
    app.state.mail_catcher = catcher
    app.state.delivery_worker = worker
    app.state.delivery_metrics = metrics
    return app


def _smtp_config(settings: NotificationsSettings, catcher: MailCatcher | None) -> SmtpConfig:
    if catcher is not None:  # everything goes to the local catcher, in the clear
        return SmtpConfig(
            host="127.0.0.1", port=catcher.port, sender=settings.smtp_from, pool_size=settings.smtp_pool_size
        )
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_use_tls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        timeout_s=settings.smtp_timeout_s,
        pool_size=settings.smtp_pool_size,
    )


def _department(settings: NotificationsSettings) -> DepartmentContacts:
    return DepartmentContacts(
        duty_desk=Recipient(
            department_key(DepartmentDesk.DUTY_DESK),
            settings.department_duty_desk_name,
            settings.department_duty_desk_email,
            settings.department_duty_desk_phone,
        ),
        leadership=Recipient(
            department_key(DepartmentDesk.LEADERSHIP),
            settings.department_leadership_name,
            settings.department_leadership_email,
            settings.department_leadership_phone,
        ),
    )
