"""A proposal's path: proposed → under review → approved or rejected, a decision always with reasons."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import rule_broken


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"


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
        raise rule_broken(
            "proposal_transition", f"a proposal cannot go from {current} to {target}", field="status"
        )
    if target in DECISIONS and not (reasons and reasons.strip()):
        raise rule_broken(
            "decision_reasons", "a decision on a proposal needs its reasons", field="reasons", conflict=False
        )
