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


STATISTICS_COLUMNS = list(GroupStatisticsPublic.model_fields)

SUMMARY_COLUMNS = [
    "section", "name", "value", "category", "severity", "status", "commune_code", "school_code",
    "reported_at", "overdue",
]  # fmt: skip
"""The daily summary as one table: its figures (section, name, value), then its open incidents (section
``open incident``, the reference as name, the escalation rank as value)."""


def summary_rows(summary: DailySummary) -> list[list[object]]:
    rows: list[list[object]] = [
        ["summary", "day", summary.day.isoformat()],
        ["summary", "cluster_no", summary.cluster_no],
        ["summary", "timezone", summary.timezone],
    ]
    for name in ("reported", "acknowledged", "resolved", "closed", "escalations", "open_now", "overdue_now"):
        rows.append(["total", name, getattr(summary, name)])
    rows += [["reported by category", code, count] for code, count in summary.reported_by_category.items()]
    for item in summary.open_incidents:
        rows.append([
            "open incident", item.reference, item.escalation_rank, item.category, item.severity, item.status,
            item.commune_code, item.school_code, item.reported_at.isoformat(), item.overdue,
        ])  # fmt: skip
    return [row + [None] * (len(SUMMARY_COLUMNS) - len(row)) for row in rows]


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
