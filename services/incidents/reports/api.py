"""Routes on reports: statistics, open and overdue per cluster, the daily situation summary, incidents per
week and cluster."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from services.incidents.incidents.api import Now
from services.incidents.reports import queries
from services.incidents.reports.domain import GroupBy
from services.incidents.reports.models import (
    STATISTICS_COLUMNS,
    SUMMARY_COLUMNS,
    ClusterWorkload,
    DailySummary,
    GroupStatisticsPublic,
    WeeklyByCluster,
    summary_rows,
)
from shared.auth import CurrentPrincipal
from shared.tabular import rows_of
from shared.web import UnitOfWorkDep
from shared.web.tables import FILE_RESPONSES, ExportFormat, export_format, table_response

Format = Annotated[ExportFormat, Depends(export_format())]

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/statistics", response_model=list[GroupStatisticsPublic], responses=FILE_RESPONSES)
async def statistics(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    fmt: Format,
    group_by: Annotated[GroupBy, Query(description="cluster, commune, category, severity, day, week, month")],
    since: Annotated[AwareDatetime | None, Query(description="Reported at or after")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Reported before")] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    severity: Annotated[str | None, Query(max_length=40)] = None,
) -> object:
    """Counts and median / 90th percentile minutes to acknowledge and resolve, per group (JSON, CSV or
    XLSX)."""
    groups = await queries.statistics(
        uow=uow,
        principal=principal,
        group_by=group_by,
        since=since,
        until=until,
        category=category,
        severity=severity,
    )
    if fmt is ExportFormat.JSON:
        return groups
    rows = rows_of(groups, STATISTICS_COLUMNS)
    return table_response(
        fmt, name=f"incident-statistics-{group_by.value}", columns=STATISTICS_COLUMNS, rows=rows
    )


@router.get("/workload", response_model=list[ClusterWorkload])
async def workload(uow: UnitOfWorkDep, principal: CurrentPrincipal, now: Now) -> object:
    """Open and overdue incidents per cluster."""
    return await queries.workload(uow=uow, principal=principal, now=now)


@router.get("/daily-summary", response_model=DailySummary, responses=FILE_RESPONSES)
async def daily_summary(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    fmt: Format,
    cluster_no: Annotated[int | None, Query(ge=1, le=99, description="Omit for the Department's own")] = None,
    day: Annotated[date | None, Query(description="A day in Vietnam's time zone; today by default")] = None,
) -> object:
    """A cluster's daily situation summary: reported, acknowledged, resolved, escalated and still open
    (JSON, CSV or XLSX: the figures, then one row per open incident)."""
    today = now.astimezone(queries.LOCAL_ZONE).date()
    summary = await queries.daily_summary(
        uow=uow, principal=principal, cluster_no=cluster_no, day=day or today, now=now
    )
    if fmt is ExportFormat.JSON:
        return summary
    scope = f"cluster-{summary.cluster_no}" if summary.cluster_no else "department"
    name = f"daily-summary-{scope}-{summary.day.isoformat()}"
    return table_response(fmt, name=name, columns=SUMMARY_COLUMNS, rows=summary_rows(summary))


@router.get("/weekly-by-cluster", response_model=WeeklyByCluster)
async def weekly_by_cluster(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    now: Now,
    weeks: Annotated[int, Query(ge=1, le=53, description="How many ISO weeks, this one last")] = 12,
) -> object:
    """Incidents reported per ISO week (in Vietnam's time) and cluster, as far as the caller sees."""
    return await queries.weekly_by_cluster(uow=uow, principal=principal, now=now, weeks=weeks)
