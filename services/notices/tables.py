"""The base of the notices service's tables and the id its rows take.

Each concept's ``models.py`` subclasses ``NoticesTable``; ``app.py`` (and the migrations) import the
concepts, which completes ``NOTICES_METADATA``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class NoticesTable(SQLModel, registry=registry()):
    """Base of the notices service's own tables; its metadata is the service's schema."""


NOTICES_METADATA = NoticesTable.metadata


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = ["NOTICES_METADATA", "NoticesTable", "new_id"]
