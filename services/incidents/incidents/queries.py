"""Reads of incidents, within the caller's scope: one incident or a list, its timeline, notes and
escalation steps, how a caller may see it, and where the replica routes a school or commune now.

Another scope's incident does not exist for the caller (404); a restricted one hides its details from
all but its cluster leader and the Department.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, or_, true
from sqlmodel import col, select

from services.incidents.catalog.models import Category, Severity
from services.incidents.incidents.domain import (
    KnownCommune,
    KnownSchool,
    Publishable,
    Route,
    Staffing,
    can_see,
    can_see_details,
    facts,
    route_for,
)
from services.incidents.incidents.models import (
    EscalationJob,
    Incident,
    IncidentPublic,
    Note,
    PeopleAffected,
    TimelineEntry,
)
from services.incidents.replica.models import (
    ReplicaCluster,
    ReplicaCommune,
    ReplicaMembership,
    ReplicaSchool,
    ReplicaStaff,
)
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.incidents import IncidentLabelsV1, IncidentStatus

HIDDEN_REPORTER = "hidden"
"""Stands for the reporter of a restricted case on the timeline of anyone who may not see its details."""


async def get_visible(
    *, uow: UnitOfWork, principal: Principal, incident_id: str, for_update: bool = False
) -> Incident:
    """The incident if the caller may see it; another scope's incident does not exist for them (404)."""
    query = select(Incident).where(Incident.id == incident_id)
    if for_update:
        query = query.with_for_update()
    incident = (await uow.session.exec(query)).first()
    if incident is None or not can_see(principal, incident):
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
    """The SQL twin of ``can_see``: which incidents ``principal`` may see."""
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
    shown = can_see_details(principal, incident)
    return IncidentPublic(
        **incident.model_dump(exclude={"title", "description", "place", "reporter_subject"}),
        title=incident.title if shown else None,
        description=incident.description if shown else None,
        place=incident.place if shown else None,
        people=PeopleAffected.model_validate(incident, from_attributes=True) if shown else None,
        details_hidden=not shown,
    )


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
    if can_see_details(principal, incident):
        return entries
    # Who reported a child-safety case, and the facts behind its severity, are details too.
    return [
        entry.model_copy(
            update={
                "reason": None,
                "detail": None,
                "actor_subject": HIDDEN_REPORTER
                if entry.actor_subject == incident.reporter_subject != principal.subject
                else entry.actor_subject,
            }
        )
        for entry in entries
    ]


async def list_escalations(
    *, uow: UnitOfWork, principal: Principal, incident_id: str
) -> Sequence[EscalationJob]:
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    query = (
        select(EscalationJob)
        .where(EscalationJob.incident_id == incident.id)
        .order_by(col(EscalationJob.due_at), col(EscalationJob.id))
    )
    return (await uow.session.exec(query)).all()


async def _with_details(uow: UnitOfWork, principal: Principal, incident_id: str) -> Incident:
    incident = await get_visible(uow=uow, principal=principal, incident_id=incident_id)
    if not can_see_details(principal, incident):
        raise Forbidden(
            "this incident is restricted: its details are for the cluster leader and the Department"
        )
    return incident


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


async def event_facts(uow: UnitOfWork, incident: Publishable) -> dict[str, Any]:
    """The facts every event of ``incident`` carries, with the catalog's names of its category and
    severity (read in the event's own transaction, so they are the names as they stand now)."""
    category = await uow.session.get(Category, incident.category)
    severity = await uow.session.get(Severity, incident.severity)
    return facts_with_labels(incident, category, severity)


def facts_with_labels(
    incident: Publishable, category: Category | None, severity: Severity | None
) -> dict[str, Any]:
    """``event_facts`` with the category and severity already at hand."""
    labels = None
    if category is not None and severity is not None:
        labels = IncidentLabelsV1(
            category_vi=category.name_vi,
            category_en=category.name_en,
            severity_vi=severity.name_vi,
            severity_en=severity.name_en,
        )
    return facts(incident, labels)


COMMUNE_OFFICER = "commune_officer"
"""The registry's role of a person who works for a commune (its Office of Culture and Social Affairs)."""


async def staffing_of(
    uow: UnitOfWork, *, cluster_no: int | None, commune_code: str | None, today: date
) -> Staffing:
    """Who of the scope can be reached, by the rule notifications resolves people by: a cluster's leader
    (its state's, else a current leader membership) and members (current member or unit-representative
    memberships) who are active people; a commune's office contact or an active commune officer."""
    session = uow.session
    commune = await session.get(ReplicaCommune, commune_code) if commune_code else None
    if cluster_no is None:
        has_leader = has_members = False
    else:
        cluster = await session.get(ReplicaCluster, cluster_no)
        leaders = [cluster.leader_staff_code] if cluster and cluster.leader_staff_code else []
        if not leaders:  # the cluster's state may lag its leader's: the membership says it too
            leaders = await _current_members(uow, cluster_no, ("leader",), today)
        has_leader = await _any_active(uow, leaders)
        members = await _current_members(uow, cluster_no, ("member", "unit_representative"), today)
        has_members = await _any_active(uow, members)
    has_office = False
    if commune is not None:
        has_office = bool(commune.culture_office_email or commune.culture_office_phone)
        if not has_office:
            officers = await session.exec(
                select(ReplicaStaff).where(
                    col(ReplicaStaff.commune_code) == commune.gso_code, col(ReplicaStaff.active)
                )
            )
            has_office = any(COMMUNE_OFFICER in person.roles for person in officers.all())
    return Staffing(
        cluster_no=cluster_no,
        commune_name=commune.name if commune is not None else None,
        has_leader=has_leader,
        has_members=has_members,
        has_commune_office=has_office,
    )


async def _current_members(uow: UnitOfWork, cluster_no: int, roles: Sequence[str], today: date) -> list[str]:
    query = select(ReplicaMembership.staff_code).where(
        col(ReplicaMembership.cluster_no) == cluster_no,
        col(ReplicaMembership.role).in_(roles),
        col(ReplicaMembership.valid_from) <= today,
        col(ReplicaMembership.valid_to).is_(None) | (col(ReplicaMembership.valid_to) >= today),
    )
    return list((await uow.session.exec(query)).all())


async def _any_active(uow: UnitOfWork, codes: Sequence[str]) -> bool:
    if not codes:
        return False
    query = select(ReplicaStaff.code).where(col(ReplicaStaff.code).in_(codes), col(ReplicaStaff.active))
    return (await uow.session.exec(query.limit(1))).first() is not None
