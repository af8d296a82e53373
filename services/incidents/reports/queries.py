"""Reports, read-only: statistics by group and period, open and overdue incidents per cluster, the
daily summary, incidents per week and cluster.

Days are Vietnamese days (Asia/Ho_Chi_Minh): a summary of "today" means today in Nghe An, not in UTC.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from services.incidents.catalog.models import Severity
from services.incidents.incidents.domain import OPEN_STATUSES, SUPPORTED_YEARS
from services.incidents.incidents.models import EscalationJob, Incident, JobState
from services.incidents.incidents.queries import visible_to
from services.incidents.reports.domain import (
    GroupBy,
    OpenCount,
    counts_per_week,
    is_overdue,
    iso_week,
    last_weeks,
    summarise,
)
from services.incidents.reports.models import (
    ClusterWeeks,
    ClusterWorkload,
    DailySummary,
    GroupStatisticsPublic,
    SummaryItem,
    WeeklyByCluster,
)
from shared.auth import Principal
from shared.clock import VIETNAM
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable
from shared.events.incidents import IncidentStatus

LOCAL_ZONE = VIETNAM


async def statistics(
    *,
    uow: UnitOfWork,
    principal: Principal,
    group_by: GroupBy,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str | None = None,
    severity: str | None = None,
) -> list[GroupStatisticsPublic]:
    """Counts and median / 90th percentile times to acknowledge and resolve, per group."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.year not in SUPPORTED_YEARS:
            raise Unprocessable(f"{name} must fall in {_years()}", field=name)
    if since is not None and until is not None and since >= until:
        raise Unprocessable("since must be before until", field="since")
    query = select(Incident).where(visible_to(principal))
    if since is not None:
        query = query.where(col(Incident.reported_at) >= since)
    if until is not None:
        query = query.where(col(Incident.reported_at) < until)
    if category is not None:
        query = query.where(Incident.category == category)
    if severity is not None:
        query = query.where(Incident.severity == severity)
    incidents = (await uow.session.exec(query)).all()
    return [GroupStatisticsPublic(**vars(row)) for row in summarise(incidents, group_by)]


def _overdue_conditions(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    acknowledgement = and_(
        col(Incident.status) == IncidentStatus.REPORTED, col(Incident.acknowledge_due_at) < now
    )
    return acknowledgement, or_(acknowledgement, col(Incident.resolve_due_at) < now)


async def open_counts(
    *, uow: UnitOfWork, now: datetime, where: ColumnElement[bool] | None = None
) -> list[OpenCount]:
    """Open incidents by severity and cluster with their overdue counts, counted by the database."""
    acknowledgement_overdue, overdue = _overdue_conditions(now)
    query = (
        sa_select(
            col(Incident.severity),
            col(Incident.cluster_no),
            func.count(),
            func.sum(case((acknowledgement_overdue, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(col(Incident.status).in_(OPEN_STATUSES))
        .group_by(col(Incident.severity), col(Incident.cluster_no))
    )
    if where is not None:
        query = query.where(where)
    # Five columns are past sqlmodel's typed select; the session's own connection runs it in the same
    # transaction.
    connection = await uow.session.connection()
    rows = (await connection.execute(query)).all()
    return [OpenCount(row[0], row[1], int(row[2]), int(row[3] or 0), int(row[4] or 0)) for row in rows]


async def workload(*, uow: UnitOfWork, principal: Principal, now: datetime) -> list[ClusterWorkload]:
    """Open and overdue incidents per cluster, as far as the caller sees."""
    by_cluster: dict[int | None, ClusterWorkload] = {}
    for row in await open_counts(uow=uow, now=now, where=visible_to(principal)):
        entry = by_cluster.setdefault(
            row.cluster_no,
            ClusterWorkload(
                cluster_no=row.cluster_no, open=0, acknowledgement_overdue=0, overdue=0, open_by_severity={}
            ),
        )
        entry.open += row.open
        entry.acknowledgement_overdue += row.acknowledgement_overdue
        entry.overdue += row.overdue
        entry.open_by_severity[row.severity] = entry.open_by_severity.get(row.severity, 0) + row.open
    return sorted(by_cluster.values(), key=lambda entry: (entry.cluster_no is None, entry.cluster_no or 0))


async def daily_summary(
    *, uow: UnitOfWork, principal: Principal, cluster_no: int | None, day: date, now: datetime
) -> DailySummary:
    """One cluster's day (``cluster_no`` None: the Department's own): what came, what moved, what is open."""
    if not principal.can_see_cluster(cluster_no):
        raise NotFound(f"cluster {cluster_no} has no summary for you", field="cluster_no")
    if day.year not in SUPPORTED_YEARS:
        raise Unprocessable(f"day must fall in {_years()}", field="day")
    start = datetime.combine(day, time.min, LOCAL_ZONE)
    end = start + timedelta(days=1)
    in_cluster = (
        col(Incident.cluster_no) == cluster_no
        if cluster_no is not None
        else col(Incident.cluster_no).is_(None)
    )
    incidents = (await uow.session.exec(select(Incident).where(in_cluster))).all()

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    reported = [incident for incident in incidents if within(incident.reported_at)]
    escalations = (
        await uow.session.exec(
            select(func.count())
            .select_from(EscalationJob)
            .join(Incident, col(Incident.id) == col(EscalationJob.incident_id))
            .where(
                in_cluster,
                col(EscalationJob.state) == JobState.FIRED,
                col(EscalationJob.fired_at) >= start,
                col(EscalationJob.fired_at) < end,
            )
        )
    ).one()
    rank = {severity.code: severity.rank for severity in (await uow.session.exec(select(Severity))).all()}
    still_open = sorted(
        (incident for incident in incidents if incident.status in OPEN_STATUSES),
        key=lambda incident: (rank.get(incident.severity, 99), incident.reported_at),
    )
    return DailySummary(
        cluster_no=cluster_no,
        day=day,
        timezone=str(LOCAL_ZONE),
        reported=len(reported),
        reported_by_category=dict(Counter(incident.category for incident in reported)),
        acknowledged=sum(within(incident.acknowledged_at) for incident in incidents),
        resolved=sum(within(incident.resolved_at) for incident in incidents),
        closed=sum(within(incident.closed_at) for incident in incidents),
        escalations=int(escalations),
        open_now=len(still_open),
        overdue_now=sum(is_overdue(incident, now) for incident in still_open),
        open_incidents=[
            SummaryItem(
                **incident.model_dump(include=set(SummaryItem.model_fields)),
                overdue=is_overdue(incident, now),
            )
            for incident in still_open
        ],
    )


async def weekly_by_cluster(
    *, uow: UnitOfWork, principal: Principal, now: datetime, weeks: int
) -> WeeklyByCluster:
    """Incidents reported in each of the last ``weeks`` ISO weeks (this one last) per cluster, as far as
    the caller sees."""
    mondays = last_weeks(now.astimezone(LOCAL_ZONE).date(), weeks)
    since = datetime.combine(mondays[0], time.min, LOCAL_ZONE)
    query = select(col(Incident.cluster_no), col(Incident.reported_at)).where(
        visible_to(principal), col(Incident.reported_at) >= since
    )
    reported = (await uow.session.exec(query)).all()
    counts = counts_per_week(reported, mondays, LOCAL_ZONE)
    return WeeklyByCluster(
        timezone=str(LOCAL_ZONE),
        weeks=[iso_week(monday) for monday in mondays],
        week_starts=mondays,
        clusters=[ClusterWeeks(cluster_no=cluster, counts=row) for cluster, row in counts.items()],
    )


def _years() -> str:
    return f"{SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
