"""Reading delegations: one with its members, visits, report and recommendations; the follow-ups due."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from services.activities.activities import queries as activities
from services.activities.activities.models import LoadedActivity
from services.activities.delegations.models import (
    Delegation,
    DelegationMember,
    DelegationPublic,
    DelegationVisit,
    MemberIn,
    Recommendation,
    RecommendationPublic,
    VisitPublic,
)
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound
from shared.events.activities import ActivityKind


async def get(*, uow: UnitOfWork, principal: Principal, activity_id: str) -> DelegationPublic:
    loaded = await activities.load_for_reading(uow, principal, activity_id)
    return await delegation_public(uow, loaded)


async def follow_ups(
    *, uow: UnitOfWork, principal: Principal, due_before: date | None, open_only: bool
) -> list[RecommendationPublic]:
    """Recommendations with a follow-up deadline, soonest first, within the caller's scope."""
    visible = {
        loaded.activity.id
        for loaded in await activities.list_activities(
            uow=uow, principal=principal, kind=ActivityKind.DELEGATION
        )
    }
    query = select(Recommendation).where(col(Recommendation.follow_up_due).is_not(None))
    if due_before is not None:
        query = query.where(col(Recommendation.follow_up_due) < due_before)
    if open_only:
        query = query.where(col(Recommendation.done_at).is_(None))
    rows = (await uow.session.exec(query.order_by(col(Recommendation.follow_up_due)))).all()
    return [RecommendationPublic.model_validate(r.model_dump()) for r in rows if r.activity_id in visible]


async def get_delegation(uow: UnitOfWork, activity_id: str) -> Delegation:
    delegation = await uow.session.get(Delegation, activity_id)
    if delegation is None:
        raise NotFound(f"activity {activity_id} is not a delegation", field="activity_id")
    return delegation


async def visits_of(uow: UnitOfWork, activity_id: str) -> list[DelegationVisit]:
    query = (
        select(DelegationVisit)
        .where(DelegationVisit.activity_id == activity_id)
        .order_by(col(DelegationVisit.id))
    )
    return list((await uow.session.exec(query)).all())


async def delegation_public(uow: UnitOfWork, loaded: LoadedActivity) -> DelegationPublic:
    activity_id = loaded.activity.id
    delegation = await get_delegation(uow, activity_id)
    members = (
        await uow.session.exec(
            select(DelegationMember)
            .where(DelegationMember.activity_id == activity_id)
            .order_by(col(DelegationMember.id))
        )
    ).all()
    recommendations = (
        await uow.session.exec(
            select(Recommendation)
            .where(Recommendation.activity_id == activity_id)
            .order_by(col(Recommendation.id))
        )
    ).all()
    return DelegationPublic(
        activity_id=activity_id,
        title=loaded.activity.title,
        status=loaded.activity.status,
        cluster_nos=loaded.cluster_nos,
        starts_at=loaded.activity.starts_at,
        ends_at=loaded.activity.ends_at,
        purpose=delegation.purpose,
        members=[MemberIn.model_validate(m.model_dump(exclude={"id", "activity_id"})) for m in members],
        visits=[
            VisitPublic.model_validate(v.model_dump(exclude={"id", "activity_id"}))
            for v in await visits_of(uow, activity_id)
        ],
        findings=delegation.findings,
        report_filed_at=delegation.report_filed_at,
        recommendations=[RecommendationPublic.model_validate(r.model_dump()) for r in recommendations],
    )
