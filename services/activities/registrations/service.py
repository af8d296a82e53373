"""Registration commands: register (or join the waiting list) and withdraw; and the keeper of an activity's
places, the only code that changes its seats taken and its waiting list."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import col, select

from services.activities.access import domain as access
from services.activities.activities import queries as activities
from services.activities.activities.models import Activity, LoadedActivity, PlacesTally
from services.activities.registrations import domain, queries
from services.activities.registrations.models import Registration, RegistrationCreate
from services.activities.tables import new_id
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import (
    ActivityKind,
    ActivityStatus,
    ParticipantKind,
    ParticipantRegisteredV1,
    ParticipantV1,
    ParticipantWithdrawnV1,
    RegistrationStatus,
)

ACTIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


class _ActivityQueues:
    """In-process queues, one per activity, in front of the database lock below.

    Correctness comes from the database lock alone (it also holds between processes). The queue only
    keeps this process's requests for one activity from all waiting on the database at once: SQLite's
    busy handler sleeps and retries, so a burst of waiters starves some of them past the busy timeout.
    """

    def __init__(self) -> None:
        self._queues: dict[str, tuple[asyncio.Lock, int]] = {}

    async def enter(self, activity_id: str) -> Callable[[], None]:
        queue, users = self._queues.get(activity_id, (asyncio.Lock(), 0))
        self._queues[activity_id] = (queue, users + 1)
        try:
            await queue.acquire()
        except BaseException:
            self._leave(activity_id)
            raise
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                queue.release()
                self._leave(activity_id)

        return release

    def _leave(self, activity_id: str) -> None:
        queue, users = self._queues[activity_id]
        if users == 1:
            del self._queues[activity_id]
        else:
            self._queues[activity_id] = (queue, users - 1)


class PlaceKeeper:
    """The one owner of an activity's places: ``Activity.seats_taken`` and who holds a seat or waits.

    Every change of them is made here, on the activity returned by ``lock``, by the rules of ``Seats``: a
    seat while one is free, else the waiting list (if the activity keeps one); a seat freed or added goes
    to the first who waits. Holding the lock, no two transactions hand out the same seat.
    """

    def __init__(self) -> None:
        self._queues = _ActivityQueues()

    async def lock(self, uow: UnitOfWork, activity_id: str) -> Activity:
        """Serialise changes to one activity's places on SQLite and PostgreSQL alike, until the unit of
        work commits or rolls back.

        The bump of ``registration_seq`` is the transaction's first write: PostgreSQL holds the row lock
        and SQLite the database write lock until commit, so the re-read below sees every earlier
        registration and no two transactions can hand out the same place.
        """
        release = await self._queues.enter(activity_id)

        def on_transaction_end(_session: object, transaction: SessionTransaction) -> None:
            if transaction.parent is None:  # the unit of work's transaction, not a flush's subtransaction
                release()

        event.listen(uow.session.sync_session, "after_transaction_end", on_transaction_end)
        try:
            await uow.session.exec(
                update(Activity)
                .where(col(Activity.id) == activity_id)
                .values(registration_seq=col(Activity.registration_seq) + 1)
            )
            activity = await uow.session.get(Activity, activity_id, populate_existing=True)
        except BaseException:
            release()
            raise
        if activity is None:
            raise NotFound(f"activity {activity_id} does not exist", field="activity_id")
        return activity

    async def take(
        self,
        *,
        uow: UnitOfWork,
        loaded: LoadedActivity,
        registration: Registration,
        registered_by: str,
        now: datetime,
    ) -> None:
        """Give a registration a seat, or the end of the waiting list, and record it; refused when every
        seat is taken and there is no waiting list."""
        activity = loaded.activity
        registration.status = status = activity.seats().place()
        registration.queue_no = activity.registration_seq
        if status is RegistrationStatus.REGISTERED:
            activity.seats_taken += 1
        uow.session.add(registration)
        position = (
            await queries.waiting_count(uow, activity.id) + 1
            if status is RegistrationStatus.WAITLISTED
            else None
        )
        uow.record(
            ParticipantRegisteredV1(
                activity_id=activity.id,
                title=activity.title,
                kind=ActivityKind(activity.kind),
                cluster_nos=loaded.cluster_nos,
                participant=participant_of(registration, waitlist_position=position),
                registered_by=registered_by,
                occurred_at=now,
            )
        )

    async def release(
        self, *, uow: UnitOfWork, loaded: LoadedActivity, registration: Registration, withdrawn_by: str
    ) -> None:
        """Withdraw a registration and record it; a seat it held goes to the first who waits."""
        activity = loaded.activity
        had_seat = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.WITHDRAWN
        registration.updated_at = now = utc_now()
        if had_seat:
            activity.seats_taken -= 1
        promoted = await self._next_in(uow, activity)
        # The withdrawal is told before the promotion it causes, so consumers read them in that order.
        uow.record(
            ParticipantWithdrawnV1(
                activity_id=activity.id,
                title=activity.title,
                kind=ActivityKind(activity.kind),
                cluster_nos=loaded.cluster_nos,
                participant=participant_of(registration),
                promoted_registration_id=promoted[0].id if promoted else None,
                withdrawn_by=withdrawn_by,
                occurred_at=now,
            )
        )
        self._promote(uow, loaded, promoted, actor=withdrawn_by)

    async def refill(self, *, uow: UnitOfWork, loaded: LoadedActivity, actor: str) -> None:
        """Give the seats that are free now (the capacity grew) to the waiting list, in order of arrival."""
        self._promote(uow, loaded, await self._next_in(uow, loaded.activity), actor=actor)

    async def tally(self, uow: UnitOfWork, activity_id: str) -> PlacesTally:
        return await queries.tally(uow, activity_id)

    async def _next_in(self, uow: UnitOfWork, activity: Activity) -> list[Registration]:
        """Those who wait and get a seat now, first come first served."""
        queue = await queries.waiting(uow, activity.id)
        return queue[: activity.seats().promotable(len(queue))]

    def _promote(
        self, uow: UnitOfWork, loaded: LoadedActivity, promoted: list[Registration], *, actor: str
    ) -> None:
        activity = loaded.activity
        now = utc_now()
        for registration in promoted:
            registration.status = RegistrationStatus.REGISTERED
            registration.updated_at = now
            activity.seats_taken += 1
            uow.record(
                ParticipantRegisteredV1(
                    activity_id=activity.id,
                    title=activity.title,
                    kind=ActivityKind(activity.kind),
                    cluster_nos=loaded.cluster_nos,
                    participant=participant_of(registration),
                    promoted_from_waitlist=True,
                    registered_by=actor,
                    occurred_at=now,
                )
            )


PLACES = PlaceKeeper()
"""The keeper of every activity's places in this process (its queues are per process, like its lock)."""


def participant_of(registration: Registration, *, waitlist_position: int | None = None) -> ParticipantV1:
    return ParticipantV1(
        registration_id=registration.id,
        participant_kind=ParticipantKind(registration.participant_kind),
        school_code=registration.school_code,
        staff_code=registration.staff_code,
        full_name=registration.full_name,
        status=RegistrationStatus(registration.status),
        waitlist_position=waitlist_position,
    )


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
    school = await activities.school_facts(uow, data.school_code)
    staff = await queries.staff_facts(uow, data.staff_code)
    domain.check_participant(
        loaded.audience(),
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

    activity = await PLACES.lock(uow, activity_id)
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
        status=RegistrationStatus.WITHDRAWN,  # no place yet, like one who comes back: PLACES.take gives it
        queue_no=0,
        registered_by=principal.subject,
    )
    if existing is not None:  # back after a withdrawal: to the end of the queue
        registration.updated_at = now
        registration.registered_by = principal.subject
    await PLACES.take(
        uow=uow,
        loaded=LoadedActivity(activity, loaded.cluster_nos),
        registration=registration,
        registered_by=principal.subject,
        now=now,
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
    registration = await queries.get(uow, activity_id, registration_id)
    if not (
        access.can_register_for(principal, registration.school_code)
        or access.can_manage(
            principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
        )
    ):
        raise Forbidden("only the participant's school or the organisers withdraw a registration")
    activity = await PLACES.lock(uow, activity_id)
    registration = await queries.get(uow, activity_id, registration_id, fresh=True)
    if registration.status == RegistrationStatus.WITHDRAWN:
        unchanged = Registration.model_validate(registration.model_dump())  # rollback expires the loaded row
        await uow.rollback()
        return unchanged
    domain.check_withdrawal(ActivityStatus(activity.status))
    await PLACES.release(
        uow=uow,
        loaded=LoadedActivity(activity, loaded.cluster_nos),
        registration=registration,
        withdrawn_by=principal.subject,
    )
    await uow.commit()
    return registration
