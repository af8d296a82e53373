"""The delivery queue's tables: the source events, one delivery per (event, recipient, channel), attempts.

The unique key on (source event, recipient, channel) is what makes delivery exactly once in effect: a
redelivered event, a second consumer racing the first, or a replay can only ever find the row there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.notifications.deliveries.domain import DeliveryState
from services.notifications.preferences.domain import HoldReason
from services.notifications.rules.domain import Priority
from services.notifications.tables import NotificationsTable
from services.notifications.templates.domain import Language
from shared.db import UTCDateTime
from shared.events.notifications import DeliveryChannel


class SourceEvent(NotificationsTable, table=True):
    """An event that was fanned out, with what its templates render from."""

    __tablename__ = "source_events"

    event_id: str = Field(primary_key=True, max_length=64)
    event_type: str = Field(index=True)
    subject: str | None = Field(default=None, index=True)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    priority: Priority
    context: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    vacancies: list[dict[str, str]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Roles of the incident's chain that resolved to nobody ({role, scope}); the duty desk "
        "stood in for each",
    )
    unreached: bool = Field(default=False, description="Its first step reached nobody of its own scope")


class Delivery(NotificationsTable, table=True):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("source_event_id", "recipient_key", "channel", name="uq_delivery_once"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
    )

    id: str = Field(primary_key=True, max_length=40)
    source_event_id: str = Field(index=True, max_length=64)
    event_type: str
    recipient_key: str = Field(index=True, max_length=80)
    recipient_name: str
    channel: DeliveryChannel
    address: str
    language: Language = Language.VI
    priority: Priority
    state: DeliveryState = DeliveryState.PENDING
    hold_reason: HoldReason | None = None
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    lease_owner: str | None = None
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    used_fallback_text: bool = False
    stands_in_for: list[str] = Field(
        default_factory=list, sa_type=JSON, description="Roles nobody holds, for which this recipient hears"
    )
    created_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(NotificationsTable, table=True):
    """Every attempt, whatever came of it."""

    __tablename__ = "delivery_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(index=True, max_length=40)
    number: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime = Field(sa_type=UTCDateTime)
    outcome: str = Field(description="delivered, transient or permanent")
    status_code: int | None = None
    error: str | None = None


class AttemptPublic(SQLModel):
    number: int
    started_at: datetime
    finished_at: datetime
    outcome: str
    status_code: int | None
    error: str | None


class DeliveryPublic(SQLModel):
    id: str
    source_event_id: str
    event_type: str
    recipient_key: str
    recipient_name: str
    channel: DeliveryChannel
    state: DeliveryState
    hold_reason: HoldReason | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    used_fallback_text: bool
    stands_in_for: list[str]
    created_at: datetime
    finished_at: datetime | None


class DeliveryDetail(DeliveryPublic):
    attempt_log: list[AttemptPublic]


class EventStatus(SQLModel):
    """Where the deliveries of one source event stand."""

    event_id: str
    event_type: str
    occurred_at: datetime
    vacancies: list[dict[str, str]]
    unreached: bool
    by_state: dict[str, int]
    deliveries: list[DeliveryPublic]
