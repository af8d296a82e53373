"""A proposal's path: proposed → under review → approved or rejected, a decision always with reasons."""

from __future__ import annotations

from services.activities.proposals.models import ProposalStatus
from services.activities.rules import RuleBroken, unprocessable

P = ProposalStatus
TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    P.PROPOSED: frozenset({P.UNDER_REVIEW}),
    P.UNDER_REVIEW: frozenset({P.APPROVED, P.REJECTED}),
    P.APPROVED: frozenset(),
    P.REJECTED: frozenset(),
}
DECISIONS = frozenset({P.APPROVED, P.REJECTED})


def check_transition(current: ProposalStatus, target: ProposalStatus, *, reasons: str | None) -> None:
    if target not in TRANSITIONS[current]:
        raise RuleBroken(
            "proposal_transition", f"a proposal cannot go from {current} to {target}", field="status"
        )
    if target in DECISIONS and not (reasons and reasons.strip()):
        raise unprocessable("decision_reasons", "a decision on a proposal needs its reasons", field="reasons")
