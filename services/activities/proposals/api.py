"""HTTP routes of personnel proposals."""

from __future__ import annotations

from fastapi import APIRouter

from services.activities.proposals import queries, service
from services.activities.proposals.domain import ProposalStatus
from services.activities.proposals.models import ProposalCreate, ProposalPublic, ProposalTransition
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/proposals", tags=["personnel proposals"])


@router.post("", response_model=ProposalPublic, status_code=201)
async def propose(data: ProposalCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Propose a person for a role to the Director (the cluster's leader)."""
    return await service.propose(uow=uow, principal=principal, data=data)


@router.get("", response_model=list[ProposalPublic])
async def list_proposals(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, status: ProposalStatus | None = None
) -> object:
    """Proposals the caller may see."""
    return await queries.list_proposals(uow=uow, principal=principal, status=status)


@router.get("/{proposal_id}", response_model=ProposalPublic)
async def get_proposal(proposal_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """One proposal."""
    return await queries.get(uow=uow, principal=principal, proposal_id=proposal_id)


@router.post("/{proposal_id}/status", response_model=ProposalPublic)
async def move_proposal(
    proposal_id: str, change: ProposalTransition, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Put a proposal under review, or approve or reject it with reasons (the Director)."""
    return await service.transition(uow=uow, principal=principal, proposal_id=proposal_id, change=change)
