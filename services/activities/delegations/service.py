"""Delegation commands: set one up, file its report, mark a recommendation's follow-up done."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.activities import queries as activities
from services.activities.activities import service as activity_service
from services.activities.activities.domain import overlaps
from services.activities.activities.models import Activity, ActivityCreate
from services.activities.delegations import domain, queries
from services.activities.delegations.models import (
    Delegation,
    DelegationCreate,
    DelegationMember,
    DelegationPublic,
    DelegationVisit,
    Recommendation,
    RecommendationPublic,
    ReportIn,
)
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.errors import NotFound, rule_broken
from shared.events.activities import (
    ActivityKind,
    ActivityStatus,
    DelegationMemberV1,
    DelegationReportFiledV1,
    DelegationScheduledV1,
    DelegationVisitV1,
    RecommendationV1,
    activity_event,
)


async def schedule(*, uow: UnitOfWork, principal: Principal, data: DelegationCreate) -> DelegationPublic:
    domain.check_plan(
        member_roles=[m.role for m in data.members],
        visit_dates=[v.visit_date for v in data.visits],
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    await _check_members_free(uow, data)
    loaded = await activity_service.create_activity(
        uow=uow,
        principal=principal,
        data=ActivityCreate(
            title=data.title,
            kind=ActivityKind.DELEGATION,
            division_code=data.division_code,
            whole_province=data.whole_province,
            cluster_nos=data.cluster_nos,
            levels=data.levels,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
        ),
        allow_delegation=True,
    )
    activity_id = loaded.activity.id
    uow.session.add(Delegation(activity_id=activity_id, purpose=data.purpose))
    await uow.session.flush()
    uow.session.add_all(DelegationMember(activity_id=activity_id, **m.model_dump()) for m in data.members)
    uow.session.add_all(DelegationVisit(activity_id=activity_id, **v.model_dump()) for v in data.visits)
    uow.record(
        activity_event(
            DelegationScheduledV1,
            activity_id=activity_id,
            activity=await activities.summary_of(uow, loaded),
            purpose=data.purpose,
            members=[DelegationMemberV1(**m.model_dump()) for m in data.members],
            visits=[DelegationVisitV1(**v.model_dump()) for v in data.visits],
            occurred_at=loaded.activity.created_at,
        )
    )
    await uow.commit()
    return await queries.delegation_public(uow, loaded)


async def _check_members_free(uow: UnitOfWork, data: DelegationCreate) -> None:
    """One person cannot be on two delegations at once."""
    codes = {m.staff_code for m in data.members if m.staff_code}
    if not codes:
        return
    query = (
        select(Activity, DelegationMember.staff_code)
        .join(DelegationMember, col(DelegationMember.activity_id) == col(Activity.id))
        .where(col(DelegationMember.staff_code).in_(codes), Activity.status != ActivityStatus.CANCELLED)
    )
    for activity, staff_code in (await uow.session.exec(query)).all():
        if overlaps(activity.starts_at, activity.ends_at, data.starts_at, data.ends_at):
            raise rule_broken(
                "member_double_booked",
                f"{staff_code} is already on delegation {activity.title!r} then",
                field="members",
            )


async def file_report(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, report: ReportIn
) -> DelegationPublic:
    loaded = await activities.load_for_managing(uow, principal, activity_id)
    delegation = await queries.get_delegation(uow, activity_id)
    domain.check_report(
        status=ActivityStatus(loaded.activity.status),
        already_filed=delegation.report_filed_at is not None,
        follow_ups=[r.follow_up_due for r in report.recommendations],
        ends_at=loaded.activity.ends_at,
    )
    delegation.findings = report.findings
    delegation.report_filed_by = principal.subject
    delegation.report_filed_at = now = utc_now()
    uow.session.add_all(
        Recommendation(activity_id=activity_id, **r.model_dump()) for r in report.recommendations
    )
    visits = await queries.visits_of(uow, activity_id)
    uow.record(
        DelegationReportFiledV1(
            activity_id=activity_id,
            title=loaded.activity.title,
            cluster_nos=loaded.cluster_nos,
            findings=report.findings,
            recommendations=[RecommendationV1(**r.model_dump()) for r in report.recommendations],
            visited_school_codes=sorted({v.school_code for v in visits if v.school_code}),
            visited_commune_codes=sorted({v.commune_code for v in visits}),
            filed_by=principal.subject,
            occurred_at=now,
        )
    )
    await uow.commit()
    return await queries.delegation_public(uow, loaded)


async def mark_done(
    *, uow: UnitOfWork, principal: Principal, activity_id: str, recommendation_id: int
) -> RecommendationPublic:
    await activities.load_for_managing(uow, principal, activity_id)
    recommendation = await uow.session.get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.activity_id != activity_id:
        raise NotFound(f"recommendation {recommendation_id} does not exist", field="recommendation_id")
    if recommendation.done_at is None:
        recommendation.done_at = utc_now()
        await uow.commit()
    return RecommendationPublic.model_validate(recommendation.model_dump())
