"""Inbox items, written when an in-app delivery is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from services.notifications.tables import NotificationsTable
from shared.db import UTCDateTime


class InboxItem(NotificationsTable, table=True):
    __tablename__ = "inbox_items"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: str = Field(unique=True, max_length=40)
    recipient_key: str = Field(index=True, max_length=80)
    source_event_id: str
    event_type: str
    title: str
    body: str
    created_at: datetime = Field(sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboxItemPublic(SQLModel):
    id: int
    source_event_id: str
    event_type: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class UnreadCount(SQLModel):
    unread: int
