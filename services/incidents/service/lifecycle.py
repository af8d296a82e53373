"""Moving an incident through its lifecycle: who may, what it leads to, which escalations it stops, and
the events that tell the world."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from services.incidents.catalog.domain import deadlines_from
from services.incidents.domain import access
from services.incidents.domain.escalation import cancelled_by
from services.incidents.domain.events import facts
from services.incidents.domain.lifecycle import REASON_REQUIRED, Action, InvalidTransition, next_status
from services.incidents.metrics import IncidentMetrics
from services.incidents.models import (
    EscalationJob,
    Incident,
    JobState,
    Severity,
    TimelineKind,
)
from services.incidents.service.incidents import get_visible, record_timeline
from services.incidents.service.reporting import plan_escalation_steps
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, Unprocessable
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentClosedV1,
    IncidentReopenedV1,
    IncidentResolvedV1,
    IncidentStatus,
    IncidentStatusChangedV1,
)


async def transition(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: str,
    action: Action,
    reason: str | None,
    now: datetime,
    metrics: IncidentMetrics | None = None,
) -> Incident:
    """Move an incident on (acknowledge, start, resolve, close, reopen), recording who, when and why."""
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id, for_update=True)
    if not access.may_act(principal, action):
        raise Forbidden(f"role {principal.role} may not {action} an incident")
    try:
        new_status = next_status(incident.status, action)
    except InvalidTransition as exc:
        raise Conflict(str(exc), field="status") from exc
    if action in REASON_REQUIRED and not (reason and reason.strip()):
        raise Unprocessable(f"a reason is required to {action} an incident", field="reason")

    old_status, incident.status = incident.status, new_status
    kinds = cancelled_by(new_status)
    if kinds:
        await uow.session.exec(
            update(EscalationJob)
            .where(
                col(EscalationJob.incident_id) == incident.id,
                col(EscalationJob.state) == JobState.PENDING,
                col(EscalationJob.deadline).in_(kinds),
            )
            .values(state=JobState.CANCELLED)
        )
    record_timeline(
        uow,
        incident,
        TimelineKind.STATUS_CHANGED,
        principal,
        now,
        from_status=old_status,
        to_status=new_status,
        reason=reason,
    )
    await _record_transition(uow, incident, action, old_status, principal, now, metrics)
    await uow.commit()
    return incident


async def _record_transition(
    uow: UnitOfWork,
    incident: Incident,
    action: Action,
    old_status: IncidentStatus,
    principal: Principal,
    now: datetime,
    metrics: IncidentMetrics | None,
) -> None:
    """Apply the action's own effects and record its events: the generic change, then the specific fact."""
    role = principal.role.value
    if action is Action.ACKNOWLEDGE:
        incident.acknowledged_at = now
        if metrics is not None:
            elapsed = (now - incident.reported_at).total_seconds()
            metrics.time_to_acknowledge.labels(incident.severity).observe(elapsed)
    elif action is Action.RESOLVE:
        incident.resolved_at = now
    elif action is Action.CLOSE:
        incident.closed_at = now
    elif action is Action.REOPEN:
        severity = await uow.session.get(Severity, incident.severity)
        assert severity is not None  # severities are never deleted
        await uow.session.exec(
            update(EscalationJob)
            .where(
                col(EscalationJob.incident_id) == incident.id, col(EscalationJob.state) == JobState.PENDING
            )
            .values(state=JobState.CANCELLED)
        )
        deadlines = deadlines_from(
            now, acknowledge_minutes=severity.acknowledge_minutes, resolve_minutes=severity.resolve_minutes
        )
        incident.acknowledge_due_at, incident.resolve_due_at = deadlines.acknowledge_by, deadlines.resolve_by
        incident.acknowledged_at = incident.resolved_at = incident.closed_at = None
        plan_escalation_steps(uow, incident, severity, now)

    uow.record(
        IncidentStatusChangedV1(**facts(incident), from_status=old_status, changed_at=now, actor_role=role),
        occurred_at=now,
    )
    if action is Action.ACKNOWLEDGE:
        within = now <= incident.acknowledge_due_at
        uow.record(
            IncidentAcknowledgedV1(
                **facts(incident), acknowledged_at=now, actor_role=role, within_target=within
            ),
            occurred_at=now,
        )
    elif action is Action.RESOLVE:
        within = now <= incident.resolve_due_at
        uow.record(
            IncidentResolvedV1(**facts(incident), resolved_at=now, actor_role=role, within_target=within),
            occurred_at=now,
        )
    elif action is Action.CLOSE:
        uow.record(IncidentClosedV1(**facts(incident), closed_at=now, actor_role=role), occurred_at=now)
    elif action is Action.REOPEN:
        uow.record(
            IncidentReopenedV1(
                **facts(incident),
                reopened_at=now,
                actor_role=role,
                from_status=old_status,
                acknowledge_due_at=incident.acknowledge_due_at,
                resolve_due_at=incident.resolve_due_at,
            ),
            occurred_at=now,
        )
