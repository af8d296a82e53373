"""HTTP routes of working and inspection delegations."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path

from services.activities.delegations import queries, service
from services.activities.delegations.models import (
    DelegationCreate,
    DelegationPublic,
    RecommendationPublic,
    ReportIn,
)
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/delegations", tags=["delegations"])


@router.post("", response_model=DelegationPublic, status_code=201)
async def schedule_delegation(
    data: DelegationCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Set up a working or inspection delegation: members, and the communes and schools it visits."""
    return await service.schedule(uow=uow, principal=principal, data=data)


@router.get("/follow-ups", response_model=list[RecommendationPublic])
async def list_follow_ups(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, due_before: date | None = None, open_only: bool = True
) -> object:
    """Recommendations with follow-up deadlines, soonest first."""
    return await queries.follow_ups(uow=uow, principal=principal, due_before=due_before, open_only=open_only)


@router.get("/{activity_id}", response_model=DelegationPublic)
async def get_delegation(activity_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """A delegation with its members, visits, report and recommendations."""
    return await queries.get(uow=uow, principal=principal, activity_id=activity_id)


@router.post("/{activity_id}/report", response_model=DelegationPublic)
async def file_report(
    activity_id: str, report: ReportIn, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """File the delegation's findings and recommendations with follow-up deadlines."""
    return await service.file_report(uow=uow, principal=principal, activity_id=activity_id, report=report)


@router.post("/{activity_id}/recommendations/{recommendation_id}/done", response_model=RecommendationPublic)
async def mark_recommendation_done(
    activity_id: str,
    recommendation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
) -> object:
    """Mark a recommendation's follow-up as done."""
    return await service.mark_done(
        uow=uow, principal=principal, activity_id=activity_id, recommendation_id=recommendation_id
    )
