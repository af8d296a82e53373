"""The escalation scheduler: a loop that fires due escalation steps kept in the database.

Nothing lives in memory between ticks, so a restart loses nothing and any number of instances may run:
each step is claimed by a conditional UPDATE (see ``service.escalations``). The clock is injected so
tests move time instead of sleeping. Each tick also refreshes the open/overdue gauges.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from services.incidents.metrics import IncidentMetrics
from services.incidents.service import escalations, reports
from shared.db import UnitOfWorkFactory
from shared.events.incidents import IncidentEscalatedV1

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class EscalationScheduler:
    def __init__(
        self,
        *,
        unit_of_work: UnitOfWorkFactory,
        clock: Clock = system_clock,
        instance_id: str,
        interval_s: float = 5.0,
        batch_size: int = 500,
        metrics: IncidentMetrics | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock
        self.instance_id = instance_id
        self._interval_s = interval_s
        self._batch_size = batch_size
        self._metrics = metrics
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def tick(self) -> list[IncidentEscalatedV1]:
        """Fire every step due by now (in batches); returns the escalations this instance fired."""
        now = self._clock()
        fired: list[IncidentEscalatedV1] = []
        while True:
            async with self._unit_of_work() as uow:
                due = await escalations.due_steps(uow=uow, now=now, limit=self._batch_size)
            failed = 0
            for job_id in due:
                # One step that cannot fire must not hold back the others: it stays pending and is
                # retried next tick.
                try:
                    async with self._unit_of_work() as uow:
                        event = await escalations.fire_step(
                            uow=uow, job_id=job_id, now=now, instance=self.instance_id, metrics=self._metrics
                        )
                except Exception:
                    log.exception("escalation step failed", extra={"job_id": job_id})
                    failed += 1
                    continue
                if event is not None:
                    fired.append(event)
            # A full batch may hide more due steps; a batch with failures would only find them again.
            if len(due) < self._batch_size or failed:
                break
        if self._metrics is not None:
            async with self._unit_of_work() as uow:
                self._metrics.refresh(await reports.open_counts(uow=uow, now=now))
        return fired

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"escalation-scheduler-{self.instance_id}")

    def wake(self) -> None:
        """Tick now rather than at the next interval (tests that moved the clock)."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                # A failed tick (database briefly away) must not end the loop: the next one retries.
                log.exception("escalation tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._interval_s)
            self._wake.clear()
