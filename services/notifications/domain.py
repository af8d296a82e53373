"""Rules for the registry replica, free of I/O."""

from __future__ import annotations


def is_newer(incoming_version: int, stored_version: int | None) -> bool:
    """Apply a state only if it is newer than what the replica holds.

    A relay that retries may deliver an old state after a newer one; compaction may also hand a new
    consumer only the latest. Versions make both harmless.
    """
    return stored_version is None or incoming_version > stored_version
