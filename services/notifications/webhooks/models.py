"""Webhook subscriptions and their API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field as PydanticField
from pydantic import HttpUrl
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from shared.db import UTCDateTime


class Subscription(NotificationsTable, table=True):
    __tablename__ = "webhook_subscriptions"

    id: str = Field(primary_key=True, max_length=40)
    owner: str = Field(index=True, description="The integration client's token subject")
    url: str
    event_types: list[str] = Field(default_factory=list, sa_type=JSON)
    secret: str
    cluster_nos: list[int] | None = Field(
        default=None, sa_type=JSON, description="The owner's grant when subscribing; None: everything"
    )
    active: bool = True
    disabled_reason: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    verified_at: datetime = Field(sa_type=UTCDateTime)


MAX_EVENT_TYPES = 100


class SubscriptionCreate(SQLModel):
    url: HttpUrl
    event_types: list[str] = Field(
        default_factory=list,
        max_length=MAX_EVENT_TYPES,
        description="Types or patterns such as incidents.incident.*; empty: all",
    )
    secret: str | None = PydanticField(
        default=None,
        pattern=r"^whsec_[A-Za-z0-9+/]{24,}={0,2}$",
        description="whsec_<base64 of 24+ bytes>; empty: the service generates one",
    )


class SubscriptionPublic(SQLModel):
    id: str
    owner: str
    url: str
    event_types: list[str]
    active: bool
    disabled_reason: str | None
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(description="whsec_<base64>: shown once; verify every delivery's signature with it")
