"""Activity commands: plan an activity, edit it, move it through the status machine.

An edit or a status change takes the activity's lock and may touch its places (a larger capacity lets the
waiting list in; closing registration counts them). The places belong to the registrations concept, which
sits above this one, so these commands take them as ``Places``, handed in by the composition root.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlmodel import col, select

from services.activities.access import domain as access
from services.activities.activities import domain, queries
from services.activities.activities.models import (
    Activity,
    ActivityCluster,
    ActivityCreate,
    ActivityUpdate,
    LoadedActivity,
    PlacesTally,
    StatusChange,
)
from services.activities.divisions.models import Division
from services.activities.replica import queries as replica
from services.activities.tables import new_id
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.errors import Forbidden, rule_broken
from shared.events.activities import (
    ActivityCancelledV1,
    ActivityKind,
    ActivityScheduledV1,
    ActivityStatus,
    ActivityUpdatedV1,
    EligibilityV2,
    RegistrationClosedV1,
    RegistrationOpenedV1,
    activity_event,
)

S = ActivityStatus


class Places(Protocol):
    """An activity's places (seats and the waiting list) as the activity's own commands need them.

    ``registrations.service.PLACES`` is the one implementation; it is also the only writer of the places.
    """

    async def lock(self, uow: UnitOfWork, activity_id: str) -> Activity:
        """The activity, re-read and locked until the unit of work ends."""
        ...

    async def refill(self, *, uow: UnitOfWork, loaded: LoadedActivity, actor: str) -> None:
        """Give the seats that are free now to the waiting list, in order of arrival."""
        ...

    async def tally(self, uow: UnitOfWork, activity_id: str) -> PlacesTally:
        """How many are registered and waiting, and their schools, for closing and cancelling."""
        ...


async def create_activity(
    *, uow: UnitOfWork, principal: Principal, data: ActivityCreate, allow_delegation: bool = False
) -> LoadedActivity:
    """Plan an activity and put it on the calendar; the caller records the event (see ``schedule``)."""
    if data.kind is ActivityKind.DELEGATION and not allow_delegation:
        raise rule_broken(
            "delegation_kind", "plan delegations through /delegations", field="kind", conflict=False
        )
    division = await uow.session.get(Division, data.division_code)
    if division is None or not division.active:
        raise rule_broken(
            "division",
            f"{data.division_code} is not an active division",
            field="division_code",
            conflict=False,
        )
    clusters = domain.check_scope(whole_province=data.whole_province, cluster_nos=data.cluster_nos)
    domain.check_schedule(
        domain.Schedule(data.starts_at, data.ends_at, data.registration_opens_at, data.registration_closes_at)
    )
    if not access.can_create(principal, cluster_nos=clusters, whole_province=data.whole_province):
        raise Forbidden("cluster leaders plan activities of their own cluster only", field="cluster_nos")
    await _check_venue(uow, venue=data.venue_school_code, starts_at=data.starts_at, ends_at=data.ends_at)
    if data.whole_province:
        clusters = await replica.active_cluster_nos(uow)
    activity = Activity(
        id=new_id(),
        title=data.title,
        kind=data.kind,
        division_code=data.division_code,
        whole_province=data.whole_province,
        levels=[str(level) for level in data.levels],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        venue_school_code=data.venue_school_code,
        venue_name=data.venue_name,
        description=data.description,
        capacity=data.capacity,
        waitlist_enabled=data.waitlist_enabled,
        registration_opens_at=data.registration_opens_at,
        registration_closes_at=data.registration_closes_at,
        eligibility=data.eligibility.model_dump(mode="json"),
        created_by=principal.subject,
    )
    uow.session.add(activity)
    await uow.session.flush()  # the activity row before its cluster rows (foreign key)
    uow.session.add_all(ActivityCluster(activity_id=activity.id, cluster_no=number) for number in clusters)
    return LoadedActivity(activity, clusters)


async def schedule(*, uow: UnitOfWork, principal: Principal, data: ActivityCreate) -> LoadedActivity:
    loaded = await create_activity(uow=uow, principal=principal, data=data)
    uow.record(
        activity_event(
            ActivityScheduledV1,
            activity_id=loaded.activity.id,
            activity=await queries.summary_of(uow, loaded),
            scheduled_by=principal.subject,
            occurred_at=loaded.activity.created_at,
        )
    )
    await uow.commit()
    return loaded


async def _check_venue(
    uow: UnitOfWork,
    *,
    venue: str | None,
    starts_at: datetime,
    ends_at: datetime,
    ignore_id: str | None = None,
) -> None:
    if not venue:
        return
    query = select(Activity).where(
        Activity.venue_school_code == venue,
        Activity.status != S.CANCELLED,
        col(Activity.starts_at) < ends_at,
        col(Activity.ends_at) > starts_at,
    )
    clashes = [a.title for a in (await uow.session.exec(query)).all() if a.id != ignore_id]
    domain.check_venue_free(venue=venue, clashing_titles=clashes)


async def update_activity(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, data: ActivityUpdate, places: Places
) -> LoadedActivity:
    await queries.load_for_managing(uow, principal, activity_id)
    activity = await places.lock(uow, activity_id)
    loaded = LoadedActivity(activity, await queries.cluster_nos_of(uow, activity_id))
    if S(activity.status) not in domain.EDITABLE:
        raise rule_broken(
            "not_editable", f"a {activity.status} activity cannot be edited", field="status", conflict=False
        )
    changes = data.model_dump(exclude_unset=True)
    if "eligibility" in changes:
        changes["eligibility"] = EligibilityV2.model_validate(changes["eligibility"]).model_dump(mode="json")
    changed = [name for name, value in changes.items() if getattr(activity, name) != value]
    if not changed:
        return loaded
    old_capacity = activity.capacity
    for name in changed:
        setattr(activity, name, changes[name])
    domain.check_schedule(
        domain.Schedule(
            activity.starts_at,
            activity.ends_at,
            activity.registration_opens_at,
            activity.registration_closes_at,
        )
    )
    activity.seats().check_holds_taken()
    if {"venue_school_code", "starts_at", "ends_at"}.intersection(changed):
        await _check_venue(
            uow,
            venue=activity.venue_school_code,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            ignore_id=activity.id,
        )
    activity.updated_at = utc_now()
    uow.record(
        activity_event(
            ActivityUpdatedV1,
            activity_id=activity.id,
            activity=await queries.summary_of(uow, loaded),
            changed_fields=changed,
            updated_by=principal.subject,
            occurred_at=activity.updated_at,
        )
    )
    if activity.capacity != old_capacity:
        # A larger capacity lets the waiting list in, in order of arrival.
        await places.refill(uow=uow, loaded=loaded, actor=principal.subject)
    await uow.commit()
    return loaded


async def change_status(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, change: StatusChange, places: Places
) -> LoadedActivity:
    await queries.load_for_managing(uow, principal, activity_id)
    activity = await places.lock(uow, activity_id)
    loaded = LoadedActivity(activity, await queries.cluster_nos_of(uow, activity_id))
    target = change.status
    domain.check_transition(S(activity.status), target, reason=change.reason)
    if target is S.REGISTRATION_OPEN:
        domain.check_can_open_registration(
            opens_at=activity.registration_opens_at, closes_at=activity.registration_closes_at
        )
    activity.status = target
    activity.updated_at = now = utc_now()
    if target is S.CANCELLED:
        activity.cancel_reason = change.reason
    summary = await queries.summary_of(uow, loaded)
    if target is S.REGISTRATION_OPEN:
        uow.record(
            activity_event(
                RegistrationOpenedV1,
                activity_id=activity.id,
                activity=summary,
                eligible_school_codes=await queries.eligible_school_codes(uow, loaded),
                occurred_at=now,
            )
        )
    elif target is S.REGISTRATION_CLOSED:
        tally = await places.tally(uow, activity.id)
        uow.record(
            activity_event(
                RegistrationClosedV1,
                activity_id=activity.id,
                activity=summary,
                registered_count=tally.registered,
                waitlisted_count=tally.waitlisted,
                registered_school_codes=tally.school_codes,
                occurred_at=now,
            )
        )
    elif target is S.CANCELLED:
        uow.record(
            activity_event(
                ActivityCancelledV1,
                activity_id=activity.id,
                activity=summary,
                reason=change.reason or "",
                registered_school_codes=(await places.tally(uow, activity.id)).school_codes,
                cancelled_by=principal.subject,
                occurred_at=now,
            )
        )
    else:
        uow.record(
            activity_event(
                ActivityUpdatedV1,
                activity_id=activity.id,
                activity=summary,
                changed_fields=["status"],
                updated_by=principal.subject,
                occurred_at=now,
            )
        )
    await uow.commit()
    return loaded
