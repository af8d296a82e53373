"""Activity use cases: plan, edit, move through the status machine, list, and the cluster calendar."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event, or_, update
from sqlalchemy.orm import SessionTransaction
from sqlmodel import col, select

from services.activities import access
from services.activities.activities import domain
from services.activities.activities.models import (
    Activity,
    ActivityCluster,
    ActivityCreate,
    ActivityUpdate,
    LoadedActivity,
    StatusChange,
)
from services.activities.activities.summary import activity_summary
from services.activities.divisions.models import Division
from services.activities.registrations.domain import Audience, school_refusal
from services.activities.registrations.models import Registration
from services.activities.registrations.waitlist import promote_waiting
from services.activities.replica import queries as replica
from services.activities.rules import unprocessable
from services.activities.tables import new_id, utc_now
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import (
    ActivityCancelledV1,
    ActivityKind,
    ActivityScheduledV1,
    ActivityStatus,
    ActivitySummaryV1,
    ActivityUpdatedV1,
    Eligibility,
    RegistrationClosedV1,
    RegistrationOpenedV1,
    RegistrationStatus,
)

S = ActivityStatus


async def cluster_nos_of(uow: UnitOfWork, activity_id: str) -> list[int]:
    query = select(ActivityCluster.cluster_no).where(ActivityCluster.activity_id == activity_id)
    return sorted((await uow.session.exec(query)).all())


async def load(uow: UnitOfWork, activity_id: str) -> LoadedActivity:
    activity = await uow.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"activity {activity_id} does not exist", field="activity_id")
    return LoadedActivity(activity, await cluster_nos_of(uow, activity_id))


async def load_for_reading(uow: UnitOfWork, principal: Principal, activity_id: str) -> LoadedActivity:
    loaded = await load(uow, activity_id)
    if not await _readable(uow, principal, loaded):
        # Out of the caller's scope is indistinguishable from absent.
        raise NotFound(f"activity {activity_id} does not exist", field="activity_id")
    return loaded


async def _readable(uow: UnitOfWork, principal: Principal, loaded: LoadedActivity) -> bool:
    home = await replica.home_cluster(uow, principal)
    return access.can_read(
        principal,
        cluster_nos=loaded.cluster_nos,
        whole_province=loaded.activity.whole_province,
        home_cluster=home,
    )


async def load_for_managing(uow: UnitOfWork, principal: Principal, activity_id: str) -> LoadedActivity:
    loaded = await load_for_reading(uow, principal, activity_id)
    if not access.can_manage(
        principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
    ):
        raise Forbidden("only the organising Department staff or the cluster's leader manage this activity")
    return loaded


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


_queues = _ActivityQueues()


async def lock(uow: UnitOfWork, activity_id: str) -> Activity:
    """Serialise changes to one activity's places on SQLite and PostgreSQL alike, until the unit of work
    commits or rolls back.

    The bump of ``registration_seq`` is the transaction's first write: PostgreSQL holds the row lock and
    SQLite the database write lock until commit, so the re-read below sees every earlier registration and
    no two transactions can hand out the same place.
    """
    release = await _queues.enter(activity_id)

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


async def summary_of(uow: UnitOfWork, loaded: LoadedActivity) -> ActivitySummaryV1:
    division = await uow.session.get(Division, loaded.activity.division_code)
    name = division.name if division else loaded.activity.division_code
    return activity_summary(loaded.activity, cluster_nos=loaded.cluster_nos, division_name=name)


async def create_activity(
    *, uow: UnitOfWork, principal: Principal, data: ActivityCreate, allow_delegation: bool = False
) -> LoadedActivity:
    """Plan an activity and put it on the calendar; the caller records the event (see ``schedule``)."""
    if data.kind is ActivityKind.DELEGATION and not allow_delegation:
        raise unprocessable("delegation_kind", "plan delegations through /delegations", field="kind")
    division = await uow.session.get(Division, data.division_code)
    if division is None or not division.active:
        raise unprocessable(
            "division", f"{data.division_code} is not an active division", field="division_code"
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
        ActivityScheduledV1(
            activity_id=loaded.activity.id,
            activity=await summary_of(uow, loaded),
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
    *, uow: UnitOfWork, principal: Principal, activity_id: str, data: ActivityUpdate
) -> LoadedActivity:
    await load_for_managing(uow, principal, activity_id)
    activity = await lock(uow, activity_id)
    loaded = LoadedActivity(activity, await cluster_nos_of(uow, activity_id))
    if S(activity.status) not in domain.EDITABLE:
        raise unprocessable("not_editable", f"a {activity.status} activity cannot be edited", field="status")
    changes = data.model_dump(exclude_unset=True)
    if "eligibility" in changes:
        changes["eligibility"] = Eligibility.model_validate(changes["eligibility"]).model_dump(mode="json")
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
    domain.check_capacity_change(new_capacity=activity.capacity, seats_taken=activity.seats_taken)
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
        ActivityUpdatedV1(
            activity_id=activity.id,
            activity=await summary_of(uow, loaded),
            changed_fields=changed,
            updated_by=principal.subject,
            occurred_at=activity.updated_at,
        )
    )
    if activity.capacity != old_capacity:
        # A larger capacity lets the waiting list in, in order of arrival.
        await promote_waiting(uow=uow, loaded=loaded, actor=principal.subject)
    await uow.commit()
    return loaded


async def change_status(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, change: StatusChange
) -> LoadedActivity:
    await load_for_managing(uow, principal, activity_id)
    activity = await lock(uow, activity_id)
    loaded = LoadedActivity(activity, await cluster_nos_of(uow, activity_id))
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
    summary = await summary_of(uow, loaded)
    if target is S.REGISTRATION_OPEN:
        uow.record(
            RegistrationOpenedV1(
                activity_id=activity.id,
                activity=summary,
                eligible_school_codes=await eligible_school_codes(uow, loaded),
                occurred_at=now,
            )
        )
    elif target is S.REGISTRATION_CLOSED:
        counts = await registration_counts(uow, activity.id)
        uow.record(
            RegistrationClosedV1(
                activity_id=activity.id,
                activity=summary,
                registered_count=counts.get(RegistrationStatus.REGISTERED, 0),
                waitlisted_count=counts.get(RegistrationStatus.WAITLISTED, 0),
                registered_school_codes=await registered_school_codes(uow, activity.id),
                occurred_at=now,
            )
        )
    elif target is S.CANCELLED:
        uow.record(
            ActivityCancelledV1(
                activity_id=activity.id,
                activity=summary,
                reason=change.reason or "",
                registered_school_codes=await registered_school_codes(uow, activity.id),
                cancelled_by=principal.subject,
                occurred_at=now,
            )
        )
    else:
        uow.record(
            ActivityUpdatedV1(
                activity_id=activity.id,
                activity=summary,
                changed_fields=["status"],
                updated_by=principal.subject,
                occurred_at=now,
            )
        )
    await uow.commit()
    return loaded


async def eligible_school_codes(uow: UnitOfWork, loaded: LoadedActivity) -> list[str]:
    activity = loaded.activity
    audience = Audience(
        whole_province=activity.whole_province,
        cluster_nos=loaded.cluster_nos,
        levels=activity.levels,
        eligibility=Eligibility.model_validate(activity.eligibility),
    )
    schools = await replica.all_schools(uow)
    return [school.code for school in schools if school_refusal(audience, school, school.code) is None]


async def registration_counts(uow: UnitOfWork, activity_id: str) -> dict[str, int]:
    query = select(Registration.status).where(Registration.activity_id == activity_id)
    counts: dict[str, int] = {}
    for status in (await uow.session.exec(query)).all():
        counts[status] = counts.get(status, 0) + 1
    return counts


async def registered_school_codes(uow: UnitOfWork, activity_id: str) -> list[str]:
    query = (
        select(Registration.school_code)
        .where(Registration.activity_id == activity_id, Registration.status != RegistrationStatus.WITHDRAWN)
        .distinct()
    )
    return sorted((await uow.session.exec(query)).all())


async def list_activities(
    *,
    uow: UnitOfWork,
    principal: Principal,
    cluster_no: int | None = None,
    kind: ActivityKind | None = None,
    status: ActivityStatus | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    exclude_cancelled: bool = False,
) -> list[LoadedActivity]:
    home = await replica.home_cluster(uow, principal)
    visible = access.visible_clusters(principal, home_cluster=home)
    query = select(Activity)
    in_clusters = select(ActivityCluster.activity_id)
    if visible is not None:
        in_clusters = in_clusters.where(col(ActivityCluster.cluster_no).in_(visible))
        query = query.where(or_(col(Activity.whole_province), col(Activity.id).in_(in_clusters)))
    if cluster_no is not None:
        mine = select(ActivityCluster.activity_id).where(ActivityCluster.cluster_no == cluster_no)
        query = query.where(or_(col(Activity.whole_province), col(Activity.id).in_(mine)))
    if kind is not None:
        query = query.where(Activity.kind == kind)
    if status is not None:
        query = query.where(Activity.status == status)
    if exclude_cancelled:
        query = query.where(Activity.status != S.CANCELLED)
    if starts_from is not None:
        query = query.where(col(Activity.ends_at) > starts_from)
    if starts_before is not None:
        query = query.where(col(Activity.starts_at) < starts_before)
    activities = (await uow.session.exec(query.order_by(col(Activity.starts_at), col(Activity.id)))).all()
    return [LoadedActivity(a, await cluster_nos_of(uow, a.id)) for a in activities]


async def calendar(
    *, uow: UnitOfWork, principal: Principal, cluster_no: int, week: str
) -> list[LoadedActivity]:
    """What is on in a cluster in an ISO week (Vietnam time), province-wide activities included."""
    start, end = domain.week_bounds(week)
    return await list_activities(
        uow=uow,
        principal=principal,
        cluster_no=cluster_no,
        starts_from=start,
        starts_before=end,
        exclude_cancelled=True,
    )
