"""Firing escalations: the scheduler's use cases, safe with any number of scheduler instances.

A step is claimed with a conditional UPDATE (``state = 'pending'`` → ``'fired'``), right after its
incident is locked: of two instances racing for one row, the database lets exactly one change it (a row
lock on PostgreSQL, the single writer on SQLite), and the loser sees zero rows updated and moves on. The
claim, the timeline entry and the event commit together, so a crash before the commit leaves the step
pending for the next tick, and a crash after it leaves it fired: exactly once either way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from services.incidents.escalations.domain import LEVEL_RANK, escalation_target, still_needed
from services.incidents.incidents.domain import facts
from services.incidents.incidents.models import EscalationJob, Incident, JobState, TimelineEntry, TimelineKind
from services.incidents.metrics import IncidentMetrics
from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.events.incidents import IncidentEscalatedV1

log = logging.getLogger(__name__)

SCHEDULER_ROLE = "system"


async def fire_due_steps(
    *,
    unit_of_work: UnitOfWorkFactory,
    now: datetime,
    instance: str,
    batch_size: int,
    metrics: IncidentMetrics | None = None,
) -> list[IncidentEscalatedV1]:
    """Fire every step due by ``now``, batch after batch, each in its own unit of work; returns the
    escalations this instance fired (another instance may have claimed some of the due steps)."""
    fired: list[IncidentEscalatedV1] = []
    while True:
        async with unit_of_work() as uow:
            due = await due_steps(uow=uow, now=now, limit=batch_size)
        failed = 0
        for job_id in due:
            # One step that cannot fire must not hold back the others: it stays pending and is retried
            # next tick.
            try:
                async with unit_of_work() as uow:
                    event = await fire_step(
                        uow=uow, job_id=job_id, now=now, instance=instance, metrics=metrics
                    )
            except Exception:
                log.exception("escalation step failed", extra={"job_id": job_id})
                failed += 1
                continue
            if event is not None:
                fired.append(event)
        # A full batch may hide more due steps; a batch with failures would only find them again.
        if len(due) < batch_size or failed:
            return fired


async def due_steps(*, uow: UnitOfWork, now: datetime, limit: int) -> Sequence[int]:
    """Ids of the pending steps due by ``now``, oldest first."""
    query = (
        select(EscalationJob.id)
        .where(col(EscalationJob.state) == JobState.PENDING, col(EscalationJob.due_at) <= now)
        .order_by(col(EscalationJob.due_at), col(EscalationJob.id))
        .limit(limit)
    )
    return [job_id for job_id in (await uow.session.exec(query)).all() if job_id is not None]


async def fire_step(
    *, uow: UnitOfWork, job_id: int, now: datetime, instance: str, metrics: IncidentMetrics | None = None
) -> IncidentEscalatedV1 | None:
    """Claim one due step and escalate; None when another instance had it, or it is no longer needed."""
    # The incident is locked before its step, in the order a transition takes them (the incident, then
    # its steps): the other order deadlocked with an acknowledgement on PostgreSQL. The lock is a no-op
    # write so that on SQLite too it is the first statement and takes the writer's lock at once.
    of_job = select(EscalationJob.incident_id).where(col(EscalationJob.id) == job_id).scalar_subquery()
    await uow.session.exec(
        update(Incident)
        .where(col(Incident.id) == of_job)
        .values(escalation_rank=col(Incident.escalation_rank))
        .execution_options(synchronize_session=False)
    )
    claimed = await uow.session.exec(
        update(EscalationJob)
        .where(col(EscalationJob.id) == job_id, col(EscalationJob.state) == JobState.PENDING)
        .values(state=JobState.FIRED, fired_at=now, fired_by=instance)
    )
    if claimed.rowcount != 1:
        await uow.rollback()
        return None
    job = await uow.session.get(EscalationJob, job_id)
    assert job is not None
    query = select(Incident).where(Incident.id == job.incident_id).with_for_update()
    incident = (await uow.session.exec(query)).one()
    if not still_needed(job.deadline, incident.status):
        # Acknowledged or resolved between the plan and now: nobody is chased.
        job.state = JobState.CANCELLED
        await uow.commit()
        return None
    level, role = escalation_target(job.level, job.notify_role, cluster_no=incident.cluster_no)
    incident.escalation_rank = max(incident.escalation_rank, LEVEL_RANK[level])
    uow.session.add(
        TimelineEntry(
            incident_id=incident.id,
            at=now,
            kind=TimelineKind.ESCALATED,
            actor_subject=f"scheduler:{instance}",
            actor_role=SCHEDULER_ROLE,
            detail=f"{job.deadline} deadline {job.deadline_at.isoformat()} passed; step {job.step}: "
            f"notify {role} ({level})",
        )
    )
    event = IncidentEscalatedV1(
        **facts(incident),
        deadline=job.deadline,
        due_at=job.deadline_at,
        level=level,
        level_rank=LEVEL_RANK[level],
        notify_role=role,
        step=job.step,
        escalated_at=now,
    )
    uow.record(event, occurred_at=now)
    await uow.commit()
    if metrics is not None:
        metrics.escalations.labels(level, job.deadline).inc()
    return event
