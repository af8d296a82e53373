"""Builds the activity part every activity event repeats, from the stored activity."""

from __future__ import annotations

from services.activities.activities.models import Activity
from shared.events.activities import ActivityKind, ActivityStatus, ActivitySummaryV1, Eligibility, SchoolLevel


def activity_summary(activity: Activity, *, cluster_nos: list[int], division_name: str) -> ActivitySummaryV1:
    return ActivitySummaryV1(
        activity_id=activity.id,
        title=activity.title,
        kind=ActivityKind(activity.kind),
        status=ActivityStatus(activity.status),
        division_code=activity.division_code,
        division_name=division_name,
        whole_province=activity.whole_province,
        cluster_nos=cluster_nos,
        levels=[SchoolLevel(level) for level in activity.levels],
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        venue_school_code=activity.venue_school_code,
        venue_name=activity.venue_name,
        capacity=activity.capacity,
        registration_opens_at=activity.registration_opens_at,
        registration_closes_at=activity.registration_closes_at,
        eligibility=Eligibility.model_validate(activity.eligibility),
    )
