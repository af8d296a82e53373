"""The preferences table, keyed by recipient key, and its API shapes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer, WithJsonSchema
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from services.notifications.templates.domain import Language
from shared.clock import VIETNAM
from shared.events.notifications import DeliveryChannel

VIETNAM_OFFSET = "+07:00"
"""Vietnam keeps UTC+7 all year (no daylight saving), so a time of day there has one offset."""


def _in_vietnam(value: time) -> time:
    """The wall-clock time in Vietnam: a time sent with another offset is moved to Vietnam's."""
    if value.tzinfo is None:
        return value
    return datetime.combine(date(2000, 1, 1), value).astimezone(VIETNAM).time()


VietnamTime = Annotated[
    time,
    AfterValidator(_in_vietnam),
    # RFC 3339's time (OpenAPI's ``format: time``) carries its offset: 22:00:00+07:00, never a bare 22:00:00.
    PlainSerializer(lambda value: f"{value.isoformat()}{VIETNAM_OFFSET}", return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "time",
            "description": "A time of day in Vietnam: 22:00 or 22:00:00 are read as Vietnam time, a time "
            "with another offset is moved to Vietnam's; answers carry +07:00",
            "examples": ["22:00:00+07:00"],
        }
    ),
]


class PreferencesBody(SQLModel):
    channels: list[DeliveryChannel] = Field(
        default_factory=lambda: [DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.IN_APP],
        sa_type=JSON,
        max_length=len(DeliveryChannel),
        description="Channels the person accepts (email, sms, in_app); the inbox is always kept",
    )
    language: Language = Language.VI
    quiet_start: VietnamTime | None = Field(
        default=None, description="Start of quiet hours, Vietnam time, e.g. 22:00"
    )
    quiet_end: VietnamTime | None = Field(
        default=None, description="End of quiet hours, Vietnam time, e.g. 06:00"
    )
    daily_digest: bool = Field(default=False, description="Low-priority email waits for one daily digest")
    digest_at: VietnamTime = Field(default=time(17, 0), description="When the digest goes out, Vietnam time")


class PersonPreferences(PreferencesBody, NotificationsTable, table=True):
    __tablename__ = "preferences"

    recipient_key: str = Field(primary_key=True, max_length=80)


class PreferencesPublic(PreferencesBody):
    recipient_key: str
