"""The escalation scheduler: a periodic job that fires due escalation steps kept in the database.

Nothing lives in memory between ticks, so a restart loses nothing and any number of instances may run:
each step is claimed by a conditional UPDATE (see ``service.escalations``). The clock is injected so
tests move time instead of sleeping. Each tick also refreshes the open/overdue gauges.
"""

from __future__ import annotations

import logging

from services.incidents.metrics import IncidentMetrics
from services.incidents.reports import queries as reports
from services.incidents.service import escalations
from shared.clock import Clock, system_clock
from shared.db import UnitOfWorkFactory
from shared.events.incidents import IncidentEscalatedV1

log = logging.getLogger(__name__)


class EscalationScheduler:
    def __init__(
        self,
        *,
        unit_of_work: UnitOfWorkFactory,
        clock: Clock = system_clock,
        instance_id: str,
        batch_size: int = 500,
        metrics: IncidentMetrics | None = None,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._clock = clock
        self.instance_id = instance_id
        self._batch_size = batch_size
        self._metrics = metrics

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

    async def run_once(self) -> bool:
        """The periodic job's pass: a tick finishes every due batch itself, so nothing waits after it."""
        await self.tick()
        return False
