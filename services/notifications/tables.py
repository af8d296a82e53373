"""The base of the notifications service's tables, and the id and clock helpers every concept uses."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class NotificationsTable(SQLModel, registry=registry()):
    """Base of the notifications service's own tables; its metadata is the service's schema."""


NOTIFICATIONS_METADATA = NotificationsTable.metadata

Clock = Callable[[], datetime]
"""Now, as a UTC-aware datetime; injected so quiet hours and retries can be tested at any hour."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())
