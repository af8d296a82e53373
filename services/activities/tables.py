"""The base of the activities service's tables and the id every concept's rows take.

Each concept's ``models.py`` subclasses ``ActivitiesTable``; ``app.py`` (and the migrations) import the
concepts, which completes ``ACTIVITIES_METADATA``.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class ActivitiesTable(SQLModel, registry=registry()):
    """Base of the activities service's own tables; its metadata is the service's schema."""


ACTIVITIES_METADATA = ActivitiesTable.metadata


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = ["ACTIVITIES_METADATA", "ActivitiesTable", "new_id"]
