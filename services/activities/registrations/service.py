"""Registration use cases: register (or join the waiting list), withdraw, list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.activities import access
from services.activities.activities import service as activities
from services.activities.activities.models import Activity, LoadedActivity
from services.activities.registrations import domain
from services.activities.registrations.models import Registration, RegistrationCreate, RegistrationPublic
from services.activities.registrations.waitlist import participant_of, promote_waiting, waiting, waiting_count
from services.activities.replica import queries as replica
from services.activities.tables import new_id, utc_now
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import (
    ActivityKind,
    ActivityStatus,
    Eligibility,
    ParticipantKind,
    ParticipantRegisteredV1,
    ParticipantWithdrawnV1,
    RegistrationStatus,
)

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


async def register(
    *,
    uow: UnitOfWork,
    principal: Principal,
    activity_id: str,
    data: RegistrationCreate,
    now: datetime | None = None,
) -> tuple[Registration, bool]:
    """Register someone; returns the registration and whether it is new (registering twice is a no-op)."""
    now = now or utc_now()
    if not access.can_register_for(principal, data.school_code):
        raise Forbidden("principals register their own school's people only", field="school_code")
    loaded = await activities.load_for_reading(uow, principal, activity_id)
    # Eligibility reads only the replica, so it is checked before the lock is taken.
    school = await replica.school_facts(uow, data.school_code)
    staff = await replica.staff_facts(uow, data.staff_code)
    domain.check_participant(
        _audience(loaded),
        school=school,
        school_code=data.school_code,
        kind=data.participant_kind,
        staff=staff,
        staff_code=data.staff_code,
        full_name=data.full_name,
        subject=data.subject,
    )
    full_name = (
        staff.full_name if staff and data.participant_kind is ParticipantKind.TEACHER else data.full_name
    )
    key = domain.participant_key(
        data.participant_kind,
        school_code=data.school_code,
        staff_code=data.staff_code,
        full_name=full_name,
        birth_date=data.birth_date,
    )

    activity = await activities.lock(uow, activity_id)
    existing = (
        await uow.session.exec(
            select(Registration).where(
                Registration.activity_id == activity_id, Registration.participant_key == key
            )
        )
    ).first()
    if existing is not None and existing.status != RegistrationStatus.WITHDRAWN:
        unchanged = Registration.model_validate(existing.model_dump())  # rollback expires the loaded row
        await uow.rollback()
        return unchanged, False
    domain.check_window(
        ActivityStatus(activity.status),
        opens_at=activity.registration_opens_at,
        closes_at=activity.registration_closes_at,
        now=now,
    )
    await _check_participant_free(uow, activity, key)
    status = domain.place(
        capacity=activity.capacity,
        seats_taken=activity.seats_taken,
        waitlist_enabled=activity.waitlist_enabled,
    )
    registration = existing or Registration(
        id=new_id(),
        activity_id=activity_id,
        participant_key=key,
        participant_kind=data.participant_kind,
        school_code=data.school_code,
        staff_code=data.staff_code,
        full_name=full_name or "",
        birth_date=data.birth_date,
        grade=data.grade,
        subject=data.subject or (staff.subject if staff else None),
        status=status,
        queue_no=activity.registration_seq,
        registered_by=principal.subject,
    )
    if existing is not None:  # back after a withdrawal: to the end of the queue
        registration.status, registration.queue_no, registration.updated_at = (
            status,
            activity.registration_seq,
            now,
        )
        registration.registered_by = principal.subject
    if status is RegistrationStatus.REGISTERED:
        activity.seats_taken += 1
    uow.session.add(registration)
    position = await waiting_count(uow, activity_id) + 1 if status is RegistrationStatus.WAITLISTED else None
    uow.record(
        ParticipantRegisteredV1(
            activity_id=activity_id,
            title=activity.title,
            kind=ActivityKind(activity.kind),
            cluster_nos=loaded.cluster_nos,
            participant=participant_of(registration, waitlist_position=position),
            registered_by=principal.subject,
            occurred_at=now,
        )
    )
    try:
        await uow.commit()
    except IntegrityError:
        # Only reachable if the lock were bypassed; the unique constraint still keeps one row per person.
        await uow.rollback()
        raise
    return registration, True


async def _check_participant_free(uow: UnitOfWork, activity: Activity, key: str) -> None:
    query = (
        select(Activity.title)
        .join(Registration, col(Registration.activity_id) == col(Activity.id))
        .where(
            Registration.participant_key == key,
            col(Registration.status).in_(ACTIVE),
            Activity.id != activity.id,
            Activity.status != ActivityStatus.CANCELLED,
            col(Activity.starts_at) < activity.ends_at,
            col(Activity.ends_at) > activity.starts_at,
        )
    )
    domain.check_participant_free(clashing_titles=list((await uow.session.exec(query)).all()))


async def withdraw(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, registration_id: str
) -> Registration:
    """Withdraw a registration; a freed place goes to the first on the waiting list."""
    loaded = await activities.load_for_reading(uow, principal, activity_id)
    registration = await _get(uow, activity_id, registration_id)
    if not (
        access.can_register_for(principal, registration.school_code)
        or access.can_manage(
            principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
        )
    ):
        raise Forbidden("only the participant's school or the organisers withdraw a registration")
    activity = await activities.lock(uow, activity_id)
    registration = await _get(uow, activity_id, registration_id, fresh=True)
    if registration.status == RegistrationStatus.WITHDRAWN:
        unchanged = Registration.model_validate(registration.model_dump())  # rollback expires the loaded row
        await uow.rollback()
        return unchanged
    domain.check_withdrawal(ActivityStatus(activity.status))
    had_place = registration.status == RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.WITHDRAWN
    registration.updated_at = now = utc_now()
    if had_place:
        activity.seats_taken -= 1
    # The withdrawal is told before the promotion it causes, so consumers read them in that order.
    queue = await waiting(uow, activity_id)
    next_in = (
        queue[0].id
        if queue
        and domain.to_promote(
            [r.queue_no for r in queue], capacity=activity.capacity, seats_taken=activity.seats_taken
        )
        else None
    )
    uow.record(
        ParticipantWithdrawnV1(
            activity_id=activity_id,
            title=activity.title,
            kind=ActivityKind(activity.kind),
            cluster_nos=loaded.cluster_nos,
            participant=participant_of(registration),
            promoted_registration_id=next_in,
            withdrawn_by=principal.subject,
            occurred_at=now,
        )
    )
    await promote_waiting(
        uow=uow, loaded=LoadedActivity(activity, loaded.cluster_nos), actor=principal.subject
    )
    await uow.commit()
    return registration


async def _get(
    uow: UnitOfWork, activity_id: str, registration_id: str, *, fresh: bool = False
) -> Registration:
    registration = await uow.session.get(Registration, registration_id, populate_existing=fresh)
    if registration is None or registration.activity_id != activity_id:
        raise NotFound(f"registration {registration_id} does not exist", field="registration_id")
    return registration


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
    """The schools whose registrations ``principal`` reads (None: all of them)."""
    if access.can_manage(
        principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
    ):
        return None
    if principal.role is Role.SCHOOL_PRINCIPAL:
        return set(principal.scoped_schools)
    clusters = access.visible_clusters(principal, home_cluster=await replica.home_cluster(uow, principal))
    if clusters is None:
        return None
    cluster_of = await replica.school_clusters(uow, school_codes)
    return {code for code in school_codes if cluster_of.get(code) in clusters} | principal.scoped_schools


def _audience(loaded: LoadedActivity) -> domain.Audience:
    return domain.Audience(
        whole_province=loaded.activity.whole_province,
        cluster_nos=loaded.cluster_nos,
        levels=loaded.activity.levels,
        eligibility=Eligibility.model_validate(loaded.activity.eligibility),
    )
