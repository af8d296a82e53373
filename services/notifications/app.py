"""The notifications service's composition root: settings, tables, routes, the replica (whose people give
a signed-in caller's scope) and fan-out consumers, the channels, the delivery worker and (in
development) the mail catcher, wired into one app."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.notifications.channels.adapters import (
    Channels,
    EmailChannel,
    InboxChannel,
    SmsChannel,
    SmsGatewayConfig,
    SmtpConfig,
)
from services.notifications.channels.domain import Channel
from services.notifications.coverage.api import router as coverage_router
from services.notifications.deliveries.api import router as deliveries_router
from services.notifications.deliveries.handlers import fan_out_consumer
from services.notifications.deliveries.service import DispatchConfig
from services.notifications.devmail import api as devmail_api
from services.notifications.devmail.adapters import MailCatcher
from services.notifications.inbox.api import router as inbox_router
from services.notifications.jobs.deliveries import delivery_job
from services.notifications.metrics import DeliveryMetrics
from services.notifications.preferences.api import router as preferences_router
from services.notifications.recipients.domain import (
    DepartmentContacts,
    DepartmentDesk,
    Recipient,
    department_key,
)
from services.notifications.replica.api import router as replica_router
from services.notifications.replica.handlers import replica_consumer
from services.notifications.replica.models import MembershipReplica, StaffReplica
from services.notifications.rules import service as rules
from services.notifications.rules.api import router as rules_router
from services.notifications.settings import NotificationsSettings
from services.notifications.tables import NOTIFICATIONS_METADATA
from services.notifications.templates import service as templates
from services.notifications.templates.api import router as templates_router
from services.notifications.templates.domain import TemplateRenderer
from services.notifications.webhooks.adapters import Resolver, WebhookChannel, addresses_of, webhook_client
from services.notifications.webhooks.api import router as webhooks_router
from services.notifications.webhooks.queries import SUBSCRIPTIONS_CHANGED, active_subscriptions
from shared.clock import Clock, system_clock
from shared.db.kept import Kept
from shared.events.notifications import DeliveryChannel
from shared.events.topics import NOTIFICATION_EVENTS
from shared.replica.people import person_lookup
from shared.settings import Environment
from shared.web import ServiceRuntime, create_service_app


def create_app(
    settings: NotificationsSettings | None = None,
    *,
    clock: Clock = system_clock,
    webhook_resolver: Resolver = addresses_of,
) -> FastAPI:
    """``webhook_resolver``: how webhook receivers' names are resolved (the system's resolver; tests give
    one they control)."""
    settings = settings or NotificationsSettings()
    development = settings.environment in (Environment.DEVELOPMENT, Environment.TEST)
    catcher = MailCatcher(port=settings.mail_catcher_port) if settings.mail_catcher and development else None
    http_client = httpx.AsyncClient(timeout=settings.http_timeout_s)
    # Webhooks have a client of their own: it connects only to addresses it checked (SSRF, DNS rebinding).
    hooks_client = webhook_client(
        allow_private=development, timeout_s=settings.http_timeout_s, resolve=webhook_resolver
    )
    webhook_channel = WebhookChannel(hooks_client, timeout_s=settings.http_timeout_s)
    by_kind: dict[DeliveryChannel, Channel] = {
        DeliveryChannel.EMAIL: EmailChannel(_smtp_config(settings, catcher)),
        DeliveryChannel.IN_APP: InboxChannel(),
        DeliveryChannel.WEBHOOK: webhook_channel,
    }
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
        gateway = SmsGatewayConfig(
            settings.sms_gateway_url, token, settings.sms_sender, settings.http_timeout_s
        )
        by_kind[DeliveryChannel.SMS] = SmsChannel(gateway, http_client)
    channels = Channels(
        by_kind, concurrency=settings.delivery_concurrency, send_deadline_s=settings.delivery_send_deadline_s
    )
    # Read on every event or send, edited a few times a year: kept once per process (shared.db.kept).
    ttl_s = settings.reference_cache_ttl_s
    kept_rules = Kept(rules.enabled_rules, changed_on=rules.RULES_CHANGED, ttl_s=ttl_s)
    kept_subscriptions = Kept(active_subscriptions, changed_on=SUBSCRIPTIONS_CHANGED, ttl_s=ttl_s)
    kept_templates = Kept(templates.all_templates, changed_on=templates.TEMPLATES_CHANGED, ttl_s=ttl_s)
    dispatch_config = DispatchConfig(
        department=_department(settings),
        channels=channels.kinds - {DeliveryChannel.WEBHOOK},
        rules=kept_rules,
        subscriptions=kept_subscriptions,
    )
    renderer = TemplateRenderer()
    metrics = DeliveryMetrics()

    async def start(runtime: ServiceRuntime) -> None:
        if settings.seed_on_start:
            async with runtime.messaging.unit_of_work() as uow:
                await rules.seed_rules(uow=uow)
            async with runtime.messaging.unit_of_work() as uow:
                await templates.seed_templates(uow=uow)
        if catcher is not None:
            await asyncio.to_thread(catcher.start)

    async def stop(_runtime: ServiceRuntime) -> None:
        await channels.close()
        await http_client.aclose()
        await hooks_client.aclose()
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
        coverage_router,
    ]
    app = create_service_app(
        settings,
        title="edu-clusters notifications",
        description="Delivers the events that matter to the people who must hear of them: email, SMS, "
        "signed webhooks and an in-app inbox, once each, with retries, quiet hours and digests.",
        metadata=NOTIFICATIONS_METADATA,
        migrations=Path(__file__).parent / "migrations",
        routers=[*routers, devmail_api.router] if development else routers,
        publishes=[NOTIFICATION_EVENTS],
        consumers=[replica_consumer, fan_out_consumer(dispatch_config, clock, metrics)],
        on_startup=start,
        on_shutdown=stop,
        people=person_lookup(StaffReplica, MembershipReplica),
    )
    runtime: ServiceRuntime = app.state.runtime
    metrics.register(runtime.metrics.registry)
    for kept in (kept_rules, kept_subscriptions, kept_templates):
        kept.listen(runtime.messaging.wakeups)
    if settings.delivery_worker_enabled:
        runtime.add_job(
            delivery_job(
                settings=settings,
                unit_of_work=runtime.messaging.unit_of_work,
                channels=channels,
                renderer=renderer,
                clock=clock,
                metrics=metrics,
                templates=kept_templates,
            )
        )
    app.state.clock = clock
    app.state.template_renderer = renderer
    app.state.http_client = http_client
    app.state.webhook_channel = webhook_channel
    app.state.mail_catcher = catcher
    app.state.delivery_metrics = metrics
    app.state.department_contacts = dispatch_config.department
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
