"""The base of the notifications service's tables, and the id helper every concept uses.

Concept models import it; app.py (and migrations) import the concepts, which completes the metadata.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class NotificationsTable(SQLModel, registry=registry()):
    """Base of the notifications service's own tables; its metadata is the service's schema."""


NOTIFICATIONS_METADATA = NotificationsTable.metadata


def new_id() -> str:
    return str(uuid.uuid4())
