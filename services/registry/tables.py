"""The base of the registry's tables, and what every entity it publishes carries: a version and a full state.

The base has a SQLAlchemy registry of its own, so its metadata is the registry's schema. This module imports
no concept: the concepts' models import it, and app.py imports the concepts, which completes the metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.clock import utc_now
from shared.db import UTCDateTime
from shared.events import EventPayload


class RegistryTable(SQLModel, registry=registry()):
    """Base of the registry's own tables."""


REGISTRY_METADATA = RegistryTable.metadata


class VersionedColumns(SQLModel):
    """The version and time every published entity carries: the version grows with each real change, so
    replicas never step back."""

    version: int = 1
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Versioned(Protocol):
    version: int
    updated_at: datetime


def apply_changes(entity: Versioned, changes: dict[str, Any], now: datetime) -> bool:
    """Apply field changes; bump the version only when something really changed. Returns whether it did."""
    changed = {name: value for name, value in changes.items() if getattr(entity, name) != value}
    if not changed:
        return False
    for name, value in changed.items():
        setattr(entity, name, value)
    touch(entity, now)
    return True


def touch(entity: Versioned, now: datetime) -> None:
    """Mark a change the entity's own fields do not show (e.g. its commune moved to another cluster)."""
    entity.version += 1
    entity.updated_at = now


State = TypeVar("State", bound=EventPayload)


def full_state(state_class: type[State], entity: object, **derived: Any) -> State:
    """What the world is told about an entity: its attributes plus the fields derived elsewhere.

    ``derived`` holds what the entity's own row does not (a school's cluster comes through its commune);
    the event schema validates the result, so a missing or wrong field fails here, not in a consumer.
    """
    fields = {name: getattr(entity, name) for name in state_class.model_fields if hasattr(entity, name)}
    return state_class.model_validate({**fields, **derived})
