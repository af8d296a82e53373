"""The base of the activities service's tables, and the id and clock helpers every concept uses."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from shared.clock import utc_now


class ActivitiesTable(SQLModel, registry=registry()):
    """Base of the activities service's own tables; its metadata is the service's schema."""


ACTIVITIES_METADATA = ActivitiesTable.metadata


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = ["ACTIVITIES_METADATA", "ActivitiesTable", "new_id", "utc_now"]
