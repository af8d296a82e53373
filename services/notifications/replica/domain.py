"""Rules of the registry replica, free of I/O."""

from __future__ import annotations

from datetime import date

from shared.events.registry import ClusterMembershipV1


def membership_is_current(membership: ClusterMembershipV1, today: date) -> bool:
    """A membership counts from its first day to its last (``valid_to`` inclusive, None: open)."""
    return membership.valid_from <= today and (membership.valid_to is None or today <= membership.valid_to)
