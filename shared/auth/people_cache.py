"""What the registry says of a signed-in person, kept for a few seconds instead of read on every request.

A client sends request after request with the same token; reading the person and their memberships
again for each one cost two queries per request. ``CachedPeople`` keeps each identity's answer (the
person, or that there is none) for ``ttl_s`` and at most ``max_entries`` of them, least recently used
out first. It is emptied when the people change: a service's replica applying a staff state, or the
registry recording one, wakes ``PEOPLE_CHANGED`` after the commit (``UnitOfWork.wake_after_commit``),
in this process at once and, on PostgreSQL, in the service's other instances (``shared.db.wakeups``).
A wake-up that does not arrive (a lost LISTEN connection) delays a change by ``ttl_s`` at most, which is
of the order of the replica's own lag behind the registry. Time of day still counts on every request:
the principal is worked out from the kept facts each time (a membership that ended at midnight is over).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from shared.auth.identity import Identity
from shared.auth.scope import PersonFacts

PEOPLE_CHANGED = "people-changed"
"""The wake-up signal of a committed change to a person or their memberships."""

DEFAULT_MAX_ENTRIES = 4096

Lookup = Callable[[Identity], Awaitable[PersonFacts | None]]


class CachedPeople:
    """A ``PersonLookup`` that remembers each identity's answer for ``ttl_s`` (0: not at all)."""

    def __init__(
        self,
        lookup: Lookup,
        *,
        ttl_s: float,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 0 or max_entries < 1:
            raise ValueError("ttl_s must be >= 0 and max_entries >= 1")
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._kept: OrderedDict[Identity, tuple[PersonFacts | None, float]] = OrderedDict()
        self._generation = 0
        """Moved on by every ``clear``: a lookup that started before a change does not keep its answer."""

    def __len__(self) -> int:
        return len(self._kept)

    async def __call__(self, identity: Identity) -> PersonFacts | None:
        if self._ttl_s == 0:
            return await self._lookup(identity)
        now = self._clock()
        kept = self._kept.get(identity)
        if kept is not None and now < kept[1]:
            self._kept.move_to_end(identity)
            return kept[0]
        generation = self._generation
        person = await self._lookup(identity)
        if generation == self._generation:
            self._kept[identity] = (person, now + self._ttl_s)
            self._kept.move_to_end(identity)
            while len(self._kept) > self._max_entries:
                self._kept.popitem(last=False)
        return person

    def clear(self) -> None:
        """Forget every answer (the people changed)."""
        self._generation += 1
        self._kept.clear()
