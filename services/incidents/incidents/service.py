"""Use cases that change an incident: move it through its lifecycle, add a note, plan its escalation
steps, and route the reports that waited at the duty desk once the replica knows their place.

Every change records its timeline entry and its events in the same unit of work, so the database and the
news of it never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, update
from sqlmodel import col, select

from services.incidents.catalog.domain import deadlines_from, plan_both
from services.incidents.catalog.models import Severity
from services.incidents.incidents.domain import (
    OPEN_STATUSES,
    REASON_REQUIRED,
    Action,
    InvalidTransition,
    Route,
    cancelled_by,
    may_act,
    next_status,
    vacancy_note,
    vacant_roles,
)
from services.incidents.incidents.models import (
    EscalationJob,
    Incident,
    JobState,
    Note,
    TimelineEntry,
    TimelineKind,
)
from services.incidents.incidents.queries import current_route, event_facts, get_visible, staffing_of
from services.incidents.metrics import IncidentMetrics
from shared.auth import Principal
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, Unprocessable
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentClosedV1,
    IncidentNoteAddedV1,
    IncidentReopenedV1,
    IncidentResolvedV1,
    IncidentRoutedV1,
    IncidentStatus,
    IncidentStatusChangedV1,
    RouteKind,
    ScopeRole,
)

REPLICA_ACTOR = "registry-replica"
"""Who re-routes a waiting report on the timeline: the replica learning of its school or commune."""


def record_timeline(
    uow: UnitOfWork,
    incident: Incident,
    kind: TimelineKind,
    principal: Principal,
    now: datetime,
    *,
    from_status: IncidentStatus | None = None,
    to_status: IncidentStatus | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    uow.insert(
        TimelineEntry(
            incident_id=incident.id,
            at=now,
            kind=kind,
            actor_subject=principal.subject,
            actor_role=principal.role,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            detail=detail[:DETAIL_LENGTH] if detail else None,
        )
    )


DETAIL_LENGTH = 300
"""The timeline's detail column holds this much."""


async def route_with_vacancies(uow: UnitOfWork, route: Route, *, today: date) -> tuple[str, list[ScopeRole]]:
    """The route as the timeline records it, with who of its scope is missing and who stands in (in
    Vietnamese: ``…; cụm 1 chưa có cụm trưởng: chuyển Văn phòng Sở``), and the vacant roles.

    A report still waiting at the duty desk has no scope yet, so nobody is missing from it.
    """
    if route.kind is RouteKind.DEPARTMENT_DUTY_DESK:
        return route.describe(), []
    staffing = await staffing_of(
        uow, cluster_no=route.cluster_no, commune_code=route.commune_code, today=today
    )
    vacant = vacant_roles(staffing)
    note = vacancy_note(staffing, vacant)
    return (f"{route.describe()}; {note}" if note else route.describe()), vacant


def plan_escalation_steps(uow: UnitOfWork, incident: Incident, severity: Severity, now: datetime) -> None:
    """Store every step of the severity's chain, after both deadlines, for the scheduler to fire."""
    deadlines = deadlines_from(
        now, acknowledge_minutes=severity.acknowledge_minutes, resolve_minutes=severity.resolve_minutes
    )
    for planned in plan_both(deadlines, severity.chain()):
        uow.insert(
            EscalationJob(
                incident_id=incident.id,
                deadline=planned.deadline,
                deadline_at=planned.deadline_at,
                step=planned.step,
                level=planned.level,
                notify_role=planned.notify_role,
                due_at=planned.due_at,
            )
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
    detail: str | None = None,
) -> Incident:
    """Move an incident on (acknowledge, start, resolve, close, reopen), recording who, when and why
    (``detail``: how, when it was not the API, such as a one-click link)."""
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id, for_update=True)
    if not may_act(principal, action):
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
        detail=detail,
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

    known = await event_facts(uow, incident)
    uow.record(
        IncidentStatusChangedV1(**known, from_status=old_status, changed_at=now, actor_role=role),
        occurred_at=now,
    )
    if action is Action.ACKNOWLEDGE:
        within = now <= incident.acknowledge_due_at
        uow.record(
            IncidentAcknowledgedV1(
                **known,
                acknowledged_at=now,
                actor_role=role,
                within_target=within,
                reporter_subject=incident.reporter_subject,
            ),
            occurred_at=now,
        )
    elif action is Action.RESOLVE:
        within = now <= incident.resolve_due_at
        uow.record(
            IncidentResolvedV1(
                **known,
                resolved_at=now,
                actor_role=role,
                within_target=within,
                reporter_subject=incident.reporter_subject,
            ),
            occurred_at=now,
        )
    elif action is Action.CLOSE:
        uow.record(IncidentClosedV1(**known, closed_at=now, actor_role=role), occurred_at=now)
    elif action is Action.REOPEN:
        uow.record(
            IncidentReopenedV1(
                **known,
                reopened_at=now,
                actor_role=role,
                from_status=old_status,
                acknowledge_due_at=incident.acknowledge_due_at,
                resolve_due_at=incident.resolve_due_at,
            ),
            occurred_at=now,
        )


async def add_note(
    *, uow: UnitOfWork, principal: Principal, incident_id: str, text: str, now: datetime
) -> Note:
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    note = Note(
        incident_id=incident.id,
        at=now,
        author_subject=principal.subject,
        author_role=principal.role,
        text=text,
    )
    uow.session.add(note)
    await uow.session.flush()
    assert note.id is not None
    record_timeline(uow, incident, TimelineKind.NOTE_ADDED, principal, now, detail=f"note {note.id}")
    uow.record(
        IncidentNoteAddedV1(
            **(await event_facts(uow, incident)), note_id=note.id, added_at=now, author_role=principal.role
        ),
        occurred_at=now,
    )
    await uow.commit()
    return note


async def route_waiting_for_commune(*, uow: UnitOfWork, commune_code: str, now: datetime) -> None:
    """The replica now knows ``commune_code``: reports that waited for it go where it is now.

    Only reports that waited for this commune move; a commune moved later keeps its open incidents.
    Runs inside the replica's unit of work, which commits.
    """
    waiting = await _waiting(
        uow, col(Incident.school_code).is_(None), col(Incident.commune_code) == commune_code
    )
    await _route_waiting(uow, waiting, now)


async def route_waiting_for_school(*, uow: UnitOfWork, school_code: str, now: datetime) -> None:
    """The replica now knows ``school_code``: reports that waited for it go to its commune and cluster."""
    await _route_waiting(uow, await _waiting(uow, col(Incident.school_code) == school_code), now)


async def _waiting(uow: UnitOfWork, *where: ColumnElement[bool]) -> Sequence[Incident]:
    """Open incidents held at the duty desk that match ``where``."""
    query = (
        select(Incident)
        .where(
            col(Incident.route) == RouteKind.DEPARTMENT_DUTY_DESK,
            col(Incident.status).in_(OPEN_STATUSES),
            *where,
        )
        .with_for_update()
    )
    return (await uow.session.exec(query)).all()


async def _route_waiting(uow: UnitOfWork, incidents: Sequence[Incident], now: datetime) -> None:
    for incident in incidents:
        route = await current_route(uow, school_code=incident.school_code, commune_code=incident.commune_code)
        if route.kind is RouteKind.DEPARTMENT_DUTY_DESK:
            continue
        previous = (incident.route, incident.cluster_no, incident.commune_code)
        incident.route, incident.cluster_no, incident.commune_code = (
            route.kind,
            route.cluster_no,
            route.commune_code,
        )
        uow.session.add(
            TimelineEntry(
                incident_id=incident.id,
                at=now,
                kind=TimelineKind.REROUTED,
                actor_subject=REPLICA_ACTOR,
                actor_role="system",
                detail=(await route_with_vacancies(uow, route, today=today_in_vietnam(now)))[0][
                    :DETAIL_LENGTH
                ],
            )
        )
        uow.record(
            IncidentRoutedV1(
                **(await event_facts(uow, incident)),
                rerouted=True,
                previous_route=previous[0],
                previous_cluster_no=previous[1],
                previous_commune_code=previous[2],
                routed_at=now,
            ),
            occurred_at=now,
        )
