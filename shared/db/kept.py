"""Data read on every request but changed rarely (a catalog, a set of rules), read once per process and
kept until it changes.

Filing an incident read its catalog (the category, every severity, every severity rule) anew each time:
three queries of a report's ten, for rows a department admin edits a few times a year. ``Kept`` holds
what its loader read and hands it out until it is ``clear``ed: the use case that changes the data wakes
``changed_on`` after its commit (``UnitOfWork.wake_after_commit``), and ``listen`` clears the ``Kept`` on
that signal, in this process at once and, on PostgreSQL, in the other instances
(``shared.db.wakeups``). A wake-up that does not arrive (a lost LISTEN connection) delays a change by
``ttl_s`` at most.

What is kept is shared by every request, so a loader returns values that nobody changes: frozen data, or
copies that belong to no session.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from shared.db.unit_of_work import UnitOfWork
from shared.db.wakeups import Wakeups

T = TypeVar("T")


class Kept(Generic[T]):
    """What ``load`` read in some request's unit of work, kept for ``ttl_s`` or until ``clear``;
    ``changed_on`` is the wake-up signal of a committed change to it."""

    def __init__(
        self,
        load: Callable[[UnitOfWork], Awaitable[T]],
        *,
        changed_on: str,
        ttl_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_s < 0:
            raise ValueError("ttl_s must be >= 0")
        self.changed_on = changed_on
        self._load = load
        self._ttl_s = ttl_s
        self._clock = clock
        self._kept: tuple[T, float] | None = None
        self._generation = 0
        """Moved on by every ``clear``: a load that started before a change does not keep its answer."""

    async def get(self, uow: UnitOfWork) -> T:
        """The kept value, or a fresh one read in ``uow`` (always fresh with ``ttl_s`` 0)."""
        now = self._clock()
        if self._kept is not None and now < self._kept[1]:
            return self._kept[0]
        generation = self._generation
        value = await self._load(uow)
        if self._ttl_s > 0 and generation == self._generation:
            self._kept = (value, now + self._ttl_s)
        return value

    def listen(self, wakeups: Wakeups) -> None:
        """Be cleared by every ``changed_on`` wake-up: this process's commits and other instances'."""
        wakeups.on(self.changed_on, self.clear)

    def clear(self) -> None:
        """Forget the value (the data changed): the next ``get`` reads it again."""
        self._generation += 1
        self._kept = None
