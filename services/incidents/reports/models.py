"""The shapes of the reports: statistics by group, open and overdue per cluster, the daily summary, the
weekly counts per cluster."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from shared.events.incidents import IncidentStatus


class GroupStatisticsPublic(BaseModel):
    group: str
    count: int
    open: int
    acknowledged: int
    resolved: int
    acknowledge_median_minutes: float | None
    acknowledge_p90_minutes: float | None
    resolve_median_minutes: float | None
    resolve_p90_minutes: float | None


class ClusterWorkload(BaseModel):
    cluster_no: int | None
    """None: incidents the Department handles itself (no cluster, or waiting at the duty desk)."""
    open: int
    acknowledgement_overdue: int
    overdue: int
    open_by_severity: dict[str, int]


class SummaryItem(BaseModel):
    id: str
    reference: str
    category: str
    severity: str
    status: IncidentStatus
    commune_code: str | None
    school_code: str | None
    reported_at: datetime
    overdue: bool
    escalation_rank: int


class DailySummary(BaseModel):
    cluster_no: int | None
    day: date
    timezone: str
    reported: int
    reported_by_category: dict[str, int]
    acknowledged: int
    resolved: int
    closed: int
    escalations: int
    open_now: int
    overdue_now: int
    open_incidents: list[SummaryItem]
    """Open now, most severe and oldest first, with no personal details."""


class ClusterWeeks(BaseModel):
    cluster_no: int | None
    """None: incidents the Department handles itself."""
    counts: list[int]
    """One count per week of ``WeeklyByCluster.weeks``, in that order."""


class WeeklyByCluster(BaseModel):
    timezone: str
    weeks: list[str] = Field(description="ISO weeks (2026-W48) in Vietnam's time, oldest first")
    week_starts: list[date] = Field(description="The Monday of each week")
    clusters: list[ClusterWeeks] = Field(description="Clusters with at least one incident in these weeks")
