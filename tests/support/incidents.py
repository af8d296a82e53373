"""An incident row with one acknowledgement escalation step due, written straight to the database.

Tests of the scheduler's claim race against it; going through the API would plan a whole chain of steps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from services.incidents.incidents.models import EscalationJob, Incident
from shared.db import session_factory
from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, RouteKind


async def incident_with_a_due_step(
    engine: AsyncEngine, *, reported_at: datetime, acknowledge_due_at: datetime, resolve_due_at: datetime
) -> int:
    """Incident ``i-1`` of cluster 3, not acknowledged, its first step due at the deadline; the step's id."""
    async with session_factory(engine)() as session:
        session.add(
            Incident(
                id="i-1",
                reference="INC-1",
                commune_code="16939",
                cluster_no=3,
                route=RouteKind.CLUSTER,
                category="other",
                severity="low",
                status=IncidentStatus.REPORTED,
                title="t",
                description="d",
                occurred_at=reported_at,
                reported_at=reported_at,
                reporter_subject="s",
                reporter_role="department_officer",
                acknowledge_due_at=acknowledge_due_at,
                resolve_due_at=resolve_due_at,
            )
        )
        await session.flush()
        job = EscalationJob(
            incident_id="i-1",
            deadline=DeadlineKind.ACKNOWLEDGEMENT,
            deadline_at=acknowledge_due_at,
            step=1,
            level=EscalationLevel.CLUSTER_LEADER,
            notify_role="cluster_leader",
            due_at=acknowledge_due_at,
        )
        session.add(job)
        await session.commit()
        assert job.id is not None
        return job.id
