"""Every registry entity carries a version that grows with each real change, so replicas never step back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


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
