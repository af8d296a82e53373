"""Serving the waiting list: who gets a place when one frees up. Called with the activity locked."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from services.activities.activities.models import LoadedActivity
from services.activities.registrations import domain
from services.activities.registrations.models import Registration
from services.activities.tables import utc_now
from shared.db import UnitOfWork
from shared.events.activities import (
    ActivityKind,
    ParticipantKind,
    ParticipantRegisteredV1,
    ParticipantV1,
    RegistrationStatus,
)


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


async def waiting(uow: UnitOfWork, activity_id: str) -> list[Registration]:
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


async def promote_waiting(*, uow: UnitOfWork, loaded: LoadedActivity, actor: str) -> list[Registration]:
    """Give the free places to the waiting, first come first served, and record each promotion."""
    activity = loaded.activity
    queue = await waiting(uow, activity.id)
    count = domain.to_promote(
        [r.queue_no for r in queue], capacity=activity.capacity, seats_taken=activity.seats_taken
    )
    now = utc_now()
    promoted = queue[:count]
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
    return promoted
