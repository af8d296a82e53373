"""The preferences table, keyed by recipient key, and its API shapes."""

from __future__ import annotations

from datetime import time

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from services.notifications.templates.domain import Language
from shared.events.notifications import DeliveryChannel


class PreferencesBody(SQLModel):
    channels: list[DeliveryChannel] = Field(
        default_factory=lambda: [DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.IN_APP],
        sa_type=JSON,
        description="Channels the person accepts (email, sms, in_app); the inbox is always kept",
    )
    language: Language = Language.VI
    quiet_start: time | None = Field(
        default=None, description="Start of quiet hours, Vietnam time, e.g. 22:00"
    )
    quiet_end: time | None = Field(default=None, description="End of quiet hours, Vietnam time, e.g. 06:00")
    daily_digest: bool = Field(default=False, description="Low-priority email waits for one daily digest")
    digest_at: time = Field(default=time(17, 0), description="When the digest goes out, Vietnam time")


class PersonPreferences(PreferencesBody, NotificationsTable, table=True):
    __tablename__ = "preferences"

    recipient_key: str = Field(primary_key=True, max_length=80)


class PreferencesPublic(PreferencesBody):
    recipient_key: str
