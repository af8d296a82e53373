"""Reading activities: one (if the caller may see or manage it), lists and the cluster calendar, the schools
an activity is open to, and the summary every activity event repeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select

from services.activities.access import domain as access
from services.activities.access import queries as scope
from services.activities.activities import domain
from services.activities.activities.domain import SchoolFacts, school_refusal
from services.activities.activities.models import Activity, ActivityCluster, LoadedActivity
from services.activities.divisions.models import Division
from services.activities.replica import queries as replica
from services.activities.replica.models import SchoolReplica
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import (
    ActivityKind,
    ActivityStatus,
    ActivitySummaryV2,
    EligibilityV2,
    SchoolLevelV2,
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
    readable = await scope.can_read(
        uow, principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
    )
    if not readable:
        # Out of the caller's scope is indistinguishable from absent.
        raise NotFound(f"activity {activity_id} does not exist", field="activity_id")
    return loaded


async def load_for_managing(uow: UnitOfWork, principal: Principal, activity_id: str) -> LoadedActivity:
    loaded = await load_for_reading(uow, principal, activity_id)
    if not access.can_manage(
        principal, cluster_nos=loaded.cluster_nos, whole_province=loaded.activity.whole_province
    ):
        raise Forbidden("only the organising Department staff or the cluster's leader manage this activity")
    return loaded


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
    visible = await scope.visible_clusters(uow, principal)
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


def _facts(school: SchoolReplica) -> SchoolFacts:
    return SchoolFacts(
        code=school.code, level=school.level, cluster_no=school.cluster_no, status=school.status
    )


async def school_facts(uow: UnitOfWork, code: str) -> SchoolFacts | None:
    """A school as an activity's audience is checked against (None: not in the registry)."""
    school = await replica.school(uow, code)
    return _facts(school) if school is not None else None


async def eligible_school_codes(uow: UnitOfWork, loaded: LoadedActivity) -> list[str]:
    audience = loaded.audience()
    schools = [_facts(school) for school in await replica.all_schools(uow)]
    return [school.code for school in schools if school_refusal(audience, school, school.code) is None]


async def summary_of(uow: UnitOfWork, loaded: LoadedActivity) -> ActivitySummaryV2:
    """The activity part every activity event repeats, from the stored activity (``activity_event`` makes it
    v1's when its levels fit v1)."""
    activity = loaded.activity
    division = await uow.session.get(Division, activity.division_code)
    return ActivitySummaryV2(
        activity_id=activity.id,
        title=activity.title,
        kind=ActivityKind(activity.kind),
        status=ActivityStatus(activity.status),
        division_code=activity.division_code,
        division_name=division.name if division else activity.division_code,
        whole_province=activity.whole_province,
        cluster_nos=loaded.cluster_nos,
        levels=[SchoolLevelV2(level) for level in activity.levels],
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        venue_school_code=activity.venue_school_code,
        venue_name=activity.venue_name,
        capacity=activity.capacity,
        registration_opens_at=activity.registration_opens_at,
        registration_closes_at=activity.registration_closes_at,
        eligibility=EligibilityV2.model_validate(activity.eligibility),
    )
