"""The outbox and inbox tables every service keeps in its own database, next to its domain tables.

They live in their own metadata so each service creates them beside its tables without importing any
other service's models.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db.types import UTCDateTime


class MessagingTable(SQLModel, registry=registry()):
    """Base for the messaging tables; its metadata is ``MESSAGING_METADATA``."""


class OutboxMessage(MessagingTable, table=True):
    """An event recorded in the same transaction as the change it describes, waiting to be published."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The relay's hot query: unpublished rows in order. Partial, so it stays as small as the backlog.
        sa.Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    event_type: str = Field(max_length=200)
    source: str = Field(max_length=200)
    subject: str | None = Field(default=None, max_length=200)
    topic: str = Field(max_length=200)
    message_key: str = Field(max_length=200)
    payload: str | None = Field(default=None, sa_type=sa.Text, description="JSON body; NULL is a tombstone")
    traceparent: str | None = Field(default=None, max_length=64)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    publish_attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class InboxMessage(MessagingTable, table=True):
    """An event a consumer group has applied; its primary key makes a second application impossible."""

    __tablename__ = "inbox"

    consumer_group: str = Field(primary_key=True, max_length=200)
    event_id: str = Field(primary_key=True, max_length=64)
    event_type: str = Field(max_length=200)
    topic: str = Field(max_length=200)
    partition: int
    offset: int
    processed_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


MESSAGING_METADATA = MessagingTable.metadata
