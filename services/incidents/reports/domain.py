"""Counts and times to acknowledge and resolve, grouped by cluster, commune, category, severity or period.

Percentiles interpolate linearly between ranks (numpy's default), so the median of an even count is the
mean of its middle pair.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol

from services.incidents.incidents.domain import is_open
from shared.events.incidents import IncidentStatus


class GroupBy(StrEnum):
    CLUSTER = "cluster"
    COMMUNE = "commune"
    CATEGORY = "category"
    SEVERITY = "severity"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Measured(Protocol):
    @property
    def cluster_no(self) -> int | None: ...
    @property
    def commune_code(self) -> str | None: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def status(self) -> IncidentStatus: ...
    @property
    def reported_at(self) -> datetime: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def acknowledge_due_at(self) -> datetime: ...
    @property
    def resolve_due_at(self) -> datetime: ...


@dataclass(frozen=True)
class GroupStatistics:
    group: str
    count: int
    open: int
    acknowledged: int
    resolved: int
    acknowledge_median_minutes: float | None
    acknowledge_p90_minutes: float | None
    resolve_median_minutes: float | None
    resolve_p90_minutes: float | None


@dataclass(frozen=True)
class OpenCount:
    """Open incidents of one severity in one cluster (None: the Department), and how many are overdue."""

    severity: str
    cluster_no: int | None
    open: int
    acknowledgement_overdue: int
    overdue: int


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def group_key(incident: Measured, group_by: GroupBy) -> str:
    if group_by is GroupBy.CLUSTER:
        return str(incident.cluster_no) if incident.cluster_no is not None else "department"
    if group_by is GroupBy.COMMUNE:
        return incident.commune_code or "unknown"
    if group_by is GroupBy.CATEGORY:
        return incident.category
    if group_by is GroupBy.SEVERITY:
        return incident.severity
    day = incident.reported_at.date()
    if group_by is GroupBy.DAY:
        return day.isoformat()
    if group_by is GroupBy.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start) / timedelta(minutes=1)


def summarise(incidents: Iterable[Measured], group_by: GroupBy) -> list[GroupStatistics]:
    groups: dict[str, list[Measured]] = {}
    for incident in incidents:
        groups.setdefault(group_key(incident, group_by), []).append(incident)
    rows = []
    for key in sorted(groups):
        members = groups[key]
        to_ack = [m for i in members if (m := _minutes(i.reported_at, i.acknowledged_at)) is not None]
        to_resolve = [m for i in members if (m := _minutes(i.reported_at, i.resolved_at)) is not None]
        rows.append(
            GroupStatistics(
                group=key,
                count=len(members),
                open=sum(is_open(i.status) for i in members),
                acknowledged=len(to_ack),
                resolved=len(to_resolve),
                acknowledge_median_minutes=percentile(to_ack, 50),
                acknowledge_p90_minutes=percentile(to_ack, 90),
                resolve_median_minutes=percentile(to_resolve, 50),
                resolve_p90_minutes=percentile(to_resolve, 90),
            )
        )
    return rows


def is_acknowledgement_overdue(incident: Measured, now: datetime) -> bool:
    return incident.status is IncidentStatus.REPORTED and now > incident.acknowledge_due_at


def is_overdue(incident: Measured, now: datetime) -> bool:
    """Open past either deadline: not acknowledged in time, or not resolved in time."""
    return is_open(incident.status) and (
        is_acknowledgement_overdue(incident, now) or now > incident.resolve_due_at
    )


def week_start(moment: datetime, zone: tzinfo) -> date:
    """The Monday of the ISO week ``moment`` falls in, in ``zone`` (a Vietnamese week, not a UTC one)."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(today: date, weeks: int) -> list[date]:
    """The Mondays of the ``weeks`` ISO weeks ending with today's, oldest first."""
    current = today - timedelta(days=today.weekday())
    return [current - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def counts_per_week(
    reported: Iterable[tuple[int | None, datetime]], mondays: Sequence[date], zone: tzinfo
) -> dict[int | None, list[int]]:
    """Per cluster (None: the Department's own), how many incidents were reported in each of the weeks
    starting on ``mondays``; a cluster with no incident in them is absent, a week without one counts 0."""
    position = {monday: index for index, monday in enumerate(mondays)}
    counts: dict[int | None, list[int]] = {}
    for cluster_no, reported_at in reported:
        index = position.get(week_start(reported_at, zone))
        if index is not None:
            counts.setdefault(cluster_no, [0] * len(mondays))[index] += 1
    return dict(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0)))
