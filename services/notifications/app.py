"""The notifications service's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.notifications.api import router
from services.notifications.handlers import registry_replica
from services.notifications.models import NOTIFICATIONS_METADATA
from services.notifications.settings import NotificationsSettings
from shared.events.topics import NOTIFICATION_EVENTS
from shared.web import create_service_app


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings or NotificationsSettings(),
        title="edu-clusters notifications",
        description="Delivers the events that matter to the people who must hear of them.",
        metadata=NOTIFICATIONS_METADATA,
        routers=[router],
        publishes=[NOTIFICATION_EVENTS],
        consumers=[registry_replica],
    )
