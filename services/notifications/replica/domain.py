"""Rules of the registry replica, free of I/O."""

from __future__ import annotations

from datetime import date

from shared.events.registry import ClusterMembershipV1


def is_newer(incoming_version: int, stored_version: int | None) -> bool:
    """Apply a state only if it is newer than what the replica holds.

    A relay that retries may deliver an old state after a newer one; compaction may also hand a new
    consumer only the latest. Versions make both harmless.
    """
    return stored_version is None or incoming_version > stored_version


def membership_is_current(membership: ClusterMembershipV1, today: date) -> bool:
    """A membership counts from its first day to its last (``valid_to`` inclusive, None: open)."""
    return membership.valid_from <= today and (membership.valid_to is None or today <= membership.valid_to)
