"""Proposal use cases: a cluster leader proposes, the Department reviews, the Director decides."""

from __future__ import annotations

from sqlmodel import col, select

from services.activities.proposals import domain
from services.activities.proposals.models import Proposal, ProposalCreate, ProposalStatus, ProposalTransition
from services.activities.tables import new_id, utc_now
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.activities import ProposalDecidedV1, ProposalDecision


async def propose(*, uow: UnitOfWork, principal: Principal, data: ProposalCreate) -> Proposal:
    if not (principal.role is Role.CLUSTER_LEADER and principal.cluster_no == data.cluster_no):
        raise Forbidden("a cluster's leader proposes personnel for their cluster", field="cluster_no")
    proposal = Proposal(id=new_id(), proposed_by=principal.subject, **data.model_dump())
    uow.session.add(proposal)
    await uow.commit()
    return proposal


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


async def transition(
    *, uow: UnitOfWork, principal: Principal, proposal_id: str, change: ProposalTransition
) -> Proposal:
    proposal = await get(uow=uow, principal=principal, proposal_id=proposal_id)
    if change.status in domain.DECISIONS and principal.role is not Role.DEPARTMENT_ADMIN:
        raise Forbidden("the Director (a department admin) decides proposals")
    if not principal.is_department_staff:
        raise Forbidden("the Department reviews proposals")
    domain.check_transition(ProposalStatus(proposal.status), change.status, reasons=change.reasons)
    proposal.status = change.status
    proposal.updated_at = utc_now()
    if change.status in domain.DECISIONS:
        proposal.reasons = change.reasons
        proposal.decided_by = principal.subject
        uow.record(
            ProposalDecidedV1(
                proposal_id=proposal.id,
                cluster_no=proposal.cluster_no,
                staff_code=proposal.staff_code,
                full_name=proposal.full_name,
                proposed_role=proposal.proposed_role,
                school_code=proposal.school_code,
                decision=ProposalDecision(change.status.value),
                reasons=change.reasons or "",
                decided_by=principal.subject,
                occurred_at=proposal.updated_at,
            )
        )
    await uow.commit()
    return proposal
