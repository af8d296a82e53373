"""Filing an incident report: validate, classify, route by the replica, plan its escalations and record
it, with an ``Idempotency-Key`` making a retried report return the incident the first attempt created."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from services.incidents.catalog.domain import Measure, classify, deadlines_from
from services.incidents.catalog.queries import CatalogSnapshot
from services.incidents.filing.models import IdempotencyRecord, IncidentReport
from services.incidents.incidents.domain import SUPPORTED_YEARS, report_refusal
from services.incidents.incidents.models import Incident, TimelineKind
from services.incidents.incidents.queries import current_route, facts_with_labels
from services.incidents.incidents.service import (
    plan_escalation_steps,
    record_timeline,
    route_with_vacancies,
)
from shared.auth import Principal, Role
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden, Unprocessable
from shared.events.incidents import IncidentReportedV1, IncidentRoutedV1, IncidentStatus


def request_fingerprint(report: IncidentReport) -> str:
    """What an idempotent retry must repeat exactly; a different body under the same key is a mistake."""
    return hashlib.sha256(report.model_dump_json().encode()).hexdigest()


async def report(
    *,
    uow: UnitOfWork,
    catalog: CatalogSnapshot,
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
    if data.occurred_at.year < SUPPORTED_YEARS.start:
        raise Unprocessable(f"occurred_at is before {SUPPORTED_YEARS.start}", field="occurred_at")

    school_code = data.school_code
    if school_code is None and principal.role is Role.SCHOOL_PRINCIPAL:
        school_code = principal.school_id
    commune_code = data.commune_code
    if commune_code is None and principal.role is Role.COMMUNE_OFFICER:
        commune_code = principal.commune_code
    if school_code is None and commune_code is None:
        raise Unprocessable("a report names a school_code or a commune_code", field="school_code")

    category = catalog.categories.get(data.category)
    if category is None or not category.active:
        raise Unprocessable(f"unknown category {data.category!r}", field="category")
    if data.severity is not None and data.severity not in catalog.severities:
        raise Unprocessable(f"unknown severity {data.severity!r}", field="severity")
    classification = classify(
        category_code=category.code,
        starting_severity=data.severity or category.default_severity,
        counts={measure: getattr(data.people, measure.value) for measure in Measure},
        rules=catalog.rules,
        rank_of=catalog.rank_of,
    )
    severity = catalog.severities[classification.severity]

    route = await current_route(uow, school_code=school_code, commune_code=commune_code)
    refusal = report_refusal(principal, school_code=school_code, route=route)
    if refusal is not None:
        raise Forbidden(refusal, field="school_code" if school_code else "commune_code")

    # Every read before the first write: on SQLite the write lock is held from the first INSERT to the
    # commit, and each read inside it would keep the other reports waiting.
    detail, vacant = await route_with_vacancies(uow, route, today=today_in_vietnam(now))
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
    uow.insert(incident)  # with the timeline, jobs and key below, which refer to it, at the commit
    raised = "; ".join(f"{r.measure} >= {r.at_least}: {r.raises_to}" for r in classification.raised_by)
    record_timeline(
        uow, incident, TimelineKind.REPORTED, principal, now, to_status=incident.status, detail=raised
    )
    record_timeline(uow, incident, TimelineKind.ROUTED, principal, now, detail=detail)
    plan_escalation_steps(uow, incident, severity, now)
    known = facts_with_labels(incident, category, severity)
    uow.record(
        IncidentReportedV1(
            **known,
            reported_at=now,
            reporter_role=principal.role,
            **data.people.model_dump(),
            acknowledge_due_at=incident.acknowledge_due_at,
            resolve_due_at=incident.resolve_due_at,
            vacant_roles=vacant,
        ),
        occurred_at=now,
    )
    uow.record(IncidentRoutedV1(**known, rerouted=False, routed_at=now), occurred_at=now)
    if idempotency_key is not None:
        uow.insert(
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
