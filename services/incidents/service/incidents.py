"""Use cases on one incident: report it, read it, move it through its lifecycle, add notes.

Every change records its timeline entry and its events in the same unit of work, so the database and
the news of it never disagree.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.incidents.domain import access
from services.incidents.domain.classification import Measure, classify
from services.incidents.domain.escalation import cancelled_by, deadlines_from, plan_both
from services.incidents.domain.events import facts
from services.incidents.domain.lifecycle import REASON_REQUIRED, Action, InvalidTransition, next_status
from services.incidents.domain.routing import KnownCommune, KnownSchool, Route, route_for
from services.incidents.metrics import IncidentMetrics
from services.incidents.models import (
    Category,
    EscalationJob,
    IdempotencyRecord,
    Incident,
    IncidentPublic,
    IncidentReport,
    JobState,
    Note,
    PeopleAffected,
    ReplicaCommune,
    ReplicaSchool,
    Severity,
    TimelineEntry,
    TimelineKind,
)
from services.incidents.service.catalog import list_severities, raising_rules
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.events.incidents import (
    IncidentAcknowledgedV1,
    IncidentClosedV1,
    IncidentNoteAddedV1,
    IncidentReopenedV1,
    IncidentReportedV1,
    IncidentResolvedV1,
    IncidentRoutedV1,
    IncidentStatus,
    IncidentStatusChangedV1,
)
from shared.web.errors import Conflict, Forbidden, NotFound, Unprocessable


def request_fingerprint(report: IncidentReport) -> str:
    """What an idempotent retry must repeat exactly; a different body under the same key is a mistake."""
    return hashlib.sha256(report.model_dump_json().encode()).hexdigest()


async def report(
    *,
    uow: UnitOfWork,
    principal: Principal,
    data: IncidentReport,
    now: datetime,
    skew: timedelta,
    idempotency_key: str | None = None,
) -> tuple[Incident, bool]:
    """Record a new incident, routed and with its escalations planned. Returns it and whether it is new.

    With an ``Idempotency-Key``, a retry of the same report by the same caller returns the first incident.
    """
    fingerprint = request_fingerprint(data)
    if idempotency_key is not None:
        replayed = await _replay(uow, principal, idempotency_key, fingerprint)
        if replayed is not None:
            return replayed, False
    if data.occurred_at > now + skew:
        raise Unprocessable("occurred_at is in the future", field="occurred_at")

    school_code = data.school_code
    if school_code is None and principal.role is Role.SCHOOL_PRINCIPAL:
        school_code = principal.school_id
    commune_code = data.commune_code
    if commune_code is None and principal.role is Role.COMMUNE_OFFICER:
        commune_code = principal.commune_code
    if school_code is None and commune_code is None:
        raise Unprocessable("a report names a school_code or a commune_code", field="school_code")

    category = await uow.session.get(Category, data.category)
    if category is None or not category.active:
        raise Unprocessable(f"unknown category {data.category!r}", field="category")
    severities = {severity.code: severity for severity in await list_severities(uow=uow)}
    if data.severity is not None and data.severity not in severities:
        raise Unprocessable(f"unknown severity {data.severity!r}", field="severity")
    classification = classify(
        category_code=category.code,
        starting_severity=data.severity or category.default_severity,
        counts={measure: getattr(data.people, measure.value) for measure in Measure},
        rules=await raising_rules(uow=uow),
        rank_of={code: severity.rank for code, severity in severities.items()},
    )
    severity = severities[classification.severity]

    route = await current_route(uow, school_code=school_code, commune_code=commune_code)
    refusal = access.report_refusal(principal, school_code=school_code, route=route)
    if refusal is not None:
        raise Forbidden(refusal, field="school_code" if school_code else "commune_code")

    incident_id = str(uuid.uuid4())
    deadlines = deadlines_from(
        now, acknowledge_minutes=severity.acknowledge_minutes, resolve_minutes=severity.resolve_minutes
    )
    incident = Incident(
        id=incident_id,
        reference="INC-" + incident_id.replace("-", "")[:10].upper(),
        school_code=school_code,
        commune_code=route.commune_code,
        cluster_no=route.cluster_no,
        route=route.kind,
        category=category.code,
        severity=severity.code,
        restricted=data.restricted if data.restricted is not None else category.restricted_by_default,
        status=IncidentStatus.REPORTED,
        title=data.title,
        description=data.description,
        place=data.place,
        **data.people.model_dump(),
        occurred_at=data.occurred_at,
        reported_at=now,
        reporter_subject=principal.subject,
        reporter_role=principal.role,
        acknowledge_due_at=deadlines.acknowledge_by,
        resolve_due_at=deadlines.resolve_by,
    )
    uow.session.add(incident)
    await uow.session.flush()  # the timeline, jobs and key below refer to it
    raised = "; ".join(f"{r.measure} >= {r.at_least}: {r.raises_to}" for r in classification.raised_by)
    _timeline(uow, incident, TimelineKind.REPORTED, principal, now, to_status=incident.status, detail=raised)
    _timeline(uow, incident, TimelineKind.ROUTED, principal, now, detail=_route_detail(route))
    _plan(uow, incident, severity, now)
    uow.record(
        IncidentReportedV1(
            **facts(incident),
            reported_at=now,
            reporter_role=principal.role,
            **data.people.model_dump(),
            acknowledge_due_at=incident.acknowledge_due_at,
            resolve_due_at=incident.resolve_due_at,
        ),
        occurred_at=now,
    )
    uow.record(IncidentRoutedV1(**facts(incident), rerouted=False, routed_at=now), occurred_at=now)
    if idempotency_key is not None:
        uow.session.add(
            IdempotencyRecord(
                reporter_subject=principal.subject,
                key=idempotency_key,
                request_hash=fingerprint,
                incident_id=incident_id,
                created_at=now,
            )
        )
    try:
        await uow.commit()
    except IntegrityError:
        # The same key raced in from a second connection and won: answer with its incident.
        await uow.rollback()
        if idempotency_key is not None:
            replayed = await _replay(uow, principal, idempotency_key, fingerprint)
            if replayed is not None:
                return replayed, False
        raise
    return incident, True


async def _replay(uow: UnitOfWork, principal: Principal, key: str, fingerprint: str) -> Incident | None:
    record = await uow.session.get(IdempotencyRecord, (principal.subject, key))
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise Conflict("Idempotency-Key was already used for a different report", field="Idempotency-Key")
    return await uow.session.get(Incident, record.incident_id)


async def current_route(uow: UnitOfWork, *, school_code: str | None, commune_code: str | None) -> Route:
    """Route by the replica as it stands: where the school is, and the cluster its commune is in now."""
    school = await uow.session.get(ReplicaSchool, school_code) if school_code else None
    commune_of = school.commune_code if school is not None else commune_code
    commune = await uow.session.get(ReplicaCommune, commune_of) if commune_of else None
    return route_for(
        school_code=school_code,
        commune_code=commune_code,
        school=KnownSchool(school.commune_code, school.cluster_no) if school else None,
        commune=KnownCommune(commune.cluster_no) if commune else None,
    )


def _route_detail(route: Route) -> str:
    return f"{route.kind}: cluster {route.cluster_no}, commune {route.commune_code}"


def _plan(uow: UnitOfWork, incident: Incident, severity: Severity, now: datetime) -> None:
    deadlines = deadlines_from(
        now, acknowledge_minutes=severity.acknowledge_minutes, resolve_minutes=severity.resolve_minutes
    )
    for planned in plan_both(deadlines, severity.chain()):
        uow.session.add(
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


def _timeline(
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
    uow.session.add(
        TimelineEntry(
            incident_id=incident.id,
            at=now,
            kind=kind,
            actor_subject=principal.subject,
            actor_role=principal.role,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            detail=detail or None,
        )
    )


async def get_visible(
    *, uow: UnitOfWork, principal: Principal, incident_id: str, for_update: bool = False
) -> Incident:
    """The incident if the caller may see it; another scope's incident does not exist for them (404)."""
    query = select(Incident).where(Incident.id == incident_id)
    if for_update:
        query = query.with_for_update()
    incident = (await uow.session.exec(query)).first()
    if incident is None or not access.can_see(principal, incident):
        raise NotFound(f"incident {incident_id} does not exist", field="incident_id")
    return incident


async def list_visible(
    *,
    uow: UnitOfWork,
    principal: Principal,
    status: IncidentStatus | None = None,
    cluster_no: int | None = None,
    category: str | None = None,
    severity: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Incident]:
    query = select(Incident).where(visible_to(principal))
    if status is not None:
        query = query.where(Incident.status == status)
    if cluster_no is not None:
        query = query.where(Incident.cluster_no == cluster_no)
    if category is not None:
        query = query.where(Incident.category == category)
    if severity is not None:
        query = query.where(Incident.severity == severity)
    query = query.order_by(col(Incident.reported_at).desc(), col(Incident.id)).limit(limit).offset(offset)
    return (await uow.session.exec(query)).all()


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The SQL twin of ``access.can_see``: which incidents ``principal`` may see."""
    if principal.sees_everything:
        return true()
    conditions: list[ColumnElement[bool]] = [col(Incident.reporter_subject) == principal.subject]
    if principal.scoped_clusters:
        conditions.append(col(Incident.cluster_no).in_(principal.scoped_clusters))
    if principal.scoped_communes:
        conditions.append(col(Incident.commune_code).in_(principal.scoped_communes))
    if principal.scoped_schools:
        conditions.append(col(Incident.school_code).in_(principal.scoped_schools))
    return or_(*conditions)


def present(incident: Incident, principal: Principal) -> IncidentPublic:
    """The incident as this caller may see it: a restricted case hides its details from most."""
    shown = access.can_see_details(principal, incident)
    return IncidentPublic(
        **incident.model_dump(exclude={"title", "description", "place", "reporter_subject"}),
        title=incident.title if shown else None,
        description=incident.description if shown else None,
        place=incident.place if shown else None,
        people=PeopleAffected.model_validate(incident, from_attributes=True) if shown else None,
        details_hidden=not shown,
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
    _timeline(
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
        _plan(uow, incident, severity, now)

    uow.record(
        IncidentStatusChangedV1(**facts(incident), from_status=old_status, changed_at=now, actor_role=role),
        occurred_at=now,
    )
    if action is Action.ACKNOWLEDGE:
        within = now <= incident.acknowledge_due_at
        uow.record(
            IncidentAcknowledgedV1(
                **facts(incident), acknowledged_at=now, actor_role=role, within_target=within
            )
        )
    elif action is Action.RESOLVE:
        within = now <= incident.resolve_due_at
        uow.record(
            IncidentResolvedV1(**facts(incident), resolved_at=now, actor_role=role, within_target=within)
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
    _timeline(uow, incident, TimelineKind.NOTE_ADDED, principal, now, detail=f"note {note.id}")
    uow.record(
        IncidentNoteAddedV1(**facts(incident), note_id=note.id, added_at=now, author_role=principal.role),
        occurred_at=now,
    )
    await uow.commit()
    return note


async def list_notes(*, uow: UnitOfWork, principal: Principal, incident_id: str) -> Sequence[Note]:
    incident = await _with_details(uow, principal, incident_id)
    query = select(Note).where(Note.incident_id == incident.id).order_by(col(Note.id))
    return (await uow.session.exec(query)).all()


async def timeline(*, uow: UnitOfWork, principal: Principal, incident_id: str) -> list[TimelineEntry]:
    """Every change, oldest first; reasons of a restricted case are hidden from those without details."""
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    query = (
        select(TimelineEntry).where(TimelineEntry.incident_id == incident.id).order_by(col(TimelineEntry.id))
    )
    entries = list((await uow.session.exec(query)).all())
    if access.can_see_details(principal, incident):
        return entries
    return [entry.model_copy(update={"reason": None}) for entry in entries]


async def escalations(*, uow: UnitOfWork, principal: Principal, incident_id: str) -> Sequence[EscalationJob]:
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    query = (
        select(EscalationJob)
        .where(EscalationJob.incident_id == incident.id)
        .order_by(col(EscalationJob.due_at), col(EscalationJob.id))
    )
    return (await uow.session.exec(query)).all()


async def _with_details(uow: UnitOfWork, principal: Principal, incident_id: str) -> Incident:
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    if not access.can_see_details(principal, incident):
        raise Forbidden(
            "this incident is restricted: its details are for the cluster leader and the Department"
        )
    return incident
