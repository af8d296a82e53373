"""The escalation scheduler: a periodic job that fires due escalation steps kept in the database.

Nothing lives in memory between ticks, so a restart loses nothing and any number of instances may run:
each step is claimed by a conditional UPDATE (see ``escalations.service``). The clock is injected so
tests move time instead of sleeping. Each tick also refreshes the open/overdue gauges.
"""

from __future__ import annotations

import socket
import uuid

from services.incidents.escalations import service as escalations
from services.incidents.metrics import IncidentMetrics
from services.incidents.reports import queries as reports
from shared.clock import Clock, system_clock
from shared.db import UnitOfWorkFactory
from shared.events.incidents import IncidentEscalatedV1
from shared.jobs import PeriodicJob


class EscalationScheduler:
    """One instance's pass over the due steps; ``tick`` is what the job runs and what tests call."""

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
        fired = await escalations.fire_due_steps(
            unit_of_work=self._unit_of_work,
            now=now,
            instance=self.instance_id,
            batch_size=self._batch_size,
            metrics=self._metrics,
        )
        if self._metrics is not None:
            async with self._unit_of_work() as uow:
                self._metrics.refresh(await reports.open_counts(uow=uow, now=now))
        return fired


def escalation_job(scheduler: EscalationScheduler, *, interval_s: float) -> PeriodicJob:
    """The app's background job: a tick every ``interval_s`` seconds."""

    async def fire_due_escalations() -> bool:
        # A tick finishes every due batch itself, so nothing waits after it.
        await scheduler.tick()
        return False

    return PeriodicJob("escalation-scheduler", fire_due_escalations, interval_s=interval_s)


def instance_name(configured: str) -> str:
    """How this instance signs the timeline: as configured, else its host name and a random suffix."""
    return configured or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
