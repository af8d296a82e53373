"""Proposal commands: a cluster leader proposes, the Department reviews, the Director decides."""

from __future__ import annotations

from services.activities.proposals import domain, queries
from services.activities.proposals.domain import ProposalStatus
from services.activities.proposals.models import Proposal, ProposalCreate, ProposalTransition
from services.activities.tables import new_id
from shared.auth import Principal, Role
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.errors import Forbidden
from shared.events.activities import ProposalDecidedV1, ProposalDecision


async def propose(*, uow: UnitOfWork, principal: Principal, data: ProposalCreate) -> Proposal:
    if not (principal.role is Role.CLUSTER_LEADER and principal.cluster_no == data.cluster_no):
        raise Forbidden("a cluster's leader proposes personnel for their cluster", field="cluster_no")
    proposal = Proposal(id=new_id(), proposed_by=principal.subject, **data.model_dump())
    uow.session.add(proposal)
    await uow.commit()
    return proposal


async def transition(
    *, uow: UnitOfWork, principal: Principal, proposal_id: str, change: ProposalTransition
) -> Proposal:
    proposal = await queries.get(uow=uow, principal=principal, proposal_id=proposal_id)
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
