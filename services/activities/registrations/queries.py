"""Reading registrations: an activity's list with waiting-list positions, the waiting list, the tally."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from services.activities.access import domain as access
from services.activities.activities import queries as activities
from services.activities.activities.models import LoadedActivity, PlacesTally
from services.activities.registrations.domain import StaffFacts
from services.activities.registrations.models import Registration, RegistrationPublic
from services.activities.replica import queries as replica
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.activities import RegistrationStatus


async def list_registrations(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, status: RegistrationStatus | None = None
) -> list[RegistrationPublic]:
    """Organisers see all of it; others the registrations of the schools in their scope (names and birth
    dates of another cluster's people are not theirs to read, even in a province-wide contest)."""
    loaded = await activities.load_for_reading(uow, principal, activity_id)
    query = select(Registration).where(Registration.activity_id == activity_id)
    rows = (await uow.session.exec(query.order_by(col(Registration.queue_no)))).all()
    # Positions count the whole queue, so a school sees where its people really stand.
    positions = {
        r.id: n for n, r in enumerate((r for r in rows if r.status == RegistrationStatus.WAITLISTED), 1)
    }
    shown = await _schools_shown(uow, principal, loaded, {row.school_code for row in rows})
    return [
        RegistrationPublic.model_validate({**row.model_dump(), "waitlist_position": positions.get(row.id)})
        for row in rows
        if (status is None or row.status == status) and (shown is None or row.school_code in shown)
    ]


async def _schools_shown(
    uow: UnitOfWork, principal: Principal, loaded: LoadedActivity, school_codes: set[str]
) -> set[str] | None:
    """The schools whose registrations ``principal`` reads (None: all of them): the organisers', and
    otherwise those the caller sees as the registry scopes schools (a commune officer their commune's,
    not their whole cluster's, though they read the activity because it involves their cluster)."""
    if principal.sees_everything or access.can_manage(
        principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
    ):
        return None
    places = await replica.school_places(uow, school_codes)
    return {
        code
        for code, (cluster_no, commune_code) in places.items()
        if principal.can_see_school(code, cluster_no=cluster_no, commune_code=commune_code)
    } | principal.scoped_schools


async def get(
    uow: UnitOfWork, activity_id: str, registration_id: str, *, fresh: bool = False
) -> Registration:
    registration = await uow.session.get(Registration, registration_id, populate_existing=fresh)
    if registration is None or registration.activity_id != activity_id:
        raise NotFound(f"registration {registration_id} does not exist", field="registration_id")
    return registration


async def waiting(uow: UnitOfWork, activity_id: str) -> list[Registration]:
    """The waiting list, first come first."""
    query = (
        select(Registration)
        .where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(col(Registration.queue_no))
    )
    return list((await uow.session.exec(query)).all())


async def waiting_count(uow: UnitOfWork, activity_id: str) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.WAITLISTED)
    )
    return int((await uow.session.exec(query)).one())


async def tally(uow: UnitOfWork, activity_id: str) -> PlacesTally:
    """How many are registered and waiting, and the schools with someone registered or waiting."""
    query = select(Registration.status, Registration.school_code).where(
        Registration.activity_id == activity_id
    )
    counts: dict[str, int] = {}
    schools: set[str] = set()
    for status, school_code in (await uow.session.exec(query)).all():
        counts[status] = counts.get(status, 0) + 1
        if status != RegistrationStatus.WITHDRAWN:
            schools.add(school_code)
    return PlacesTally(
        registered=counts.get(RegistrationStatus.REGISTERED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        school_codes=sorted(schools),
    )


async def staff_facts(uow: UnitOfWork, code: str | None) -> StaffFacts | None:
    """A member of staff as registration checks them (None: no code given, or not in the registry)."""
    staff = await replica.staff(uow, code)
    if staff is None:
        return None
    return StaffFacts(
        code=staff.code,
        full_name=staff.full_name,
        roles=tuple(staff.roles),
        school_code=staff.school_code,
        subject=staff.teaching_subject,
        active=staff.active,
    )
