"""One runner for every background loop a service keeps (escalations, due moves, closings, deliveries).

A job is a ``tick``: one pass over what is due, kept in the database so a restart loses nothing. The
runner calls it every ``interval_s``, at once again when the tick says more is waiting (a full batch), or
as soon as someone calls ``wake()``: a commit that planned work for it, through the signals it names in
``wake_on`` (``UnitOfWork.wake_after_commit``). A wake-up that comes during a pass runs another pass
right after it. A failing tick is logged and the loop goes on: a database away for a moment must not
end it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

Tick = Callable[[], Awaitable[bool | None]]
"""One pass; returns True when more is waiting and the next pass should follow at once."""


class PeriodicJob:
    def __init__(self, name: str, tick: Tick, *, interval_s: float, wake_on: Sequence[str] = ()) -> None:
        self.name = name
        self.wake_on = tuple(wake_on)
        """The signals (``UnitOfWork.wake_after_commit``) that mean work is waiting for this job."""
        self._tick = tick
        self._interval_s = interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        """Run the next pass now rather than at the end of the interval."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # a wake-up from now on, during the pass too, asks for another pass
            try:
                more = await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job %s failed; the next pass retries", self.name)
                more = False
            if more:
                await asyncio.sleep(0)  # let requests and consumers in between two full batches
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval_s)
