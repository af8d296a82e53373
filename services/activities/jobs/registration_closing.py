"""Registration closes by itself when its window ends: nobody has to remember to press the button.

A background loop of the app finds open registrations whose closing time has passed and closes each the
way a manager would (same transition, same event), on behalf of the service. Two instances may race for
one activity: the second finds it already closed and leaves it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import col, select

from services.activities.activities import service as activities
from services.activities.activities.models import Activity, StatusChange
from services.activities.registrations.service import PLACES
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.db import UnitOfWorkFactory
from shared.errors import ServiceError
from shared.events.activities import ActivityStatus
from shared.jobs import PeriodicJob

log = logging.getLogger(__name__)

CLOSER = Principal(subject="activities-scheduler", role=Role.DEPARTMENT_ADMIN, name="registration window")


async def close_due_registrations(*, unit_of_work: UnitOfWorkFactory, now: datetime) -> list[str]:
    """Close every registration whose window ended by ``now``; returns the ids it closed."""
    async with unit_of_work() as uow:
        due = (
            await uow.session.exec(
                select(Activity.id).where(
                    Activity.status == ActivityStatus.REGISTRATION_OPEN,
                    col(Activity.registration_closes_at).is_not(None),
                    col(Activity.registration_closes_at) <= now,
                )
            )
        ).all()
    closed = []
    for activity_id in due:
        try:
            async with unit_of_work() as uow:
                await activities.change_status(
                    uow=uow,
                    principal=CLOSER,
                    activity_id=activity_id,
                    change=StatusChange(status=ActivityStatus.REGISTRATION_CLOSED),
                    places=PLACES,
                )
            closed.append(activity_id)
        except ServiceError:  # closed or cancelled meanwhile, by a person or another instance
            log.info("registration of %s was no longer open", activity_id)
    return closed


def registration_closing_job(
    *, unit_of_work: UnitOfWorkFactory, interval_s: float, clock: Clock
) -> PeriodicJob:
    """The app's background job: check every ``interval_s`` seconds."""

    async def close_registrations_on_time() -> bool:
        await close_due_registrations(unit_of_work=unit_of_work, now=clock())
        return False

    return PeriodicJob("registration-closing", close_registrations_on_time, interval_s=interval_s)
