"""The templates table an administrator edits, and its API shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from services.notifications.templates.domain import Language
from shared.events.notifications import DeliveryChannel


class TemplateBody(SQLModel):
    subject: str = Field(default="", max_length=500, description="Email subject / inbox title (not for SMS)")
    body: str = Field(min_length=1, max_length=20_000, description="jinja2 text; variables: event, school...")


class Template(TemplateBody, NotificationsTable, table=True):
    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("event_type", "channel", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    event_type: str = Field(index=True)
    channel: DeliveryChannel
    language: Language


class TemplatePublic(TemplateBody):
    id: int
    event_type: str
    channel: DeliveryChannel
    language: Language


class PreviewRequest(TemplateBody):
    event_type: str
    channel: DeliveryChannel = DeliveryChannel.EMAIL
    language: Language = Language.VI
    context: dict[str, Any] | None = Field(
        default=None, description="Variables to render with; default: a sample of the event type"
    )


class PreviewPublic(SQLModel):
    subject: str
    body: str
