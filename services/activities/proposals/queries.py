"""Reading proposals: one, or those the caller may see."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.proposals.domain import ProposalStatus
from services.activities.proposals.models import Proposal
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import NotFound


async def get(*, uow: UnitOfWork, principal: Principal, proposal_id: str) -> Proposal:
    proposal = await uow.session.get(Proposal, proposal_id)
    if proposal is None or not principal.can_see_cluster(proposal.cluster_no):
        raise NotFound(f"proposal {proposal_id} does not exist", field="proposal_id")
    return proposal


async def list_proposals(
    *, uow: UnitOfWork, principal: Principal, status: ProposalStatus | None = None
) -> list[Proposal]:
    query = select(Proposal).order_by(col(Proposal.created_at))
    if status is not None:
        query = query.where(Proposal.status == status)
    if not principal.sees_everything:
        query = query.where(col(Proposal.cluster_no).in_(principal.scoped_clusters))
    return list((await uow.session.exec(query)).all())
