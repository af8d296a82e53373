"""Escalation rules, free of I/O: how high each level ranks, who stands in for a cluster leader when there
is no cluster or the cluster has no leader, and whether a passed deadline still matters in the incident's
status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus, ScopeRole

LEVEL_RANK: dict[EscalationLevel, int] = {
    EscalationLevel.CLUSTER_LEADER: 1,
    EscalationLevel.DEPARTMENT_OFFICE: 2,
    EscalationLevel.DEPARTMENT_LEADERSHIP: 3,
    EscalationLevel.PROVINCE: 4,
}

LEVEL_NAMES = {
    EscalationLevel.CLUSTER_LEADER: "cụm trưởng",
    EscalationLevel.DEPARTMENT_OFFICE: "Văn phòng Sở",
    EscalationLevel.DEPARTMENT_LEADERSHIP: "Lãnh đạo Sở",
    EscalationLevel.PROVINCE: "UBND tỉnh",
}
"""The levels as the timeline names them (Vietnamese)."""

DUTY_DESK_ROLE = "department_officer"
"""Who stands in for a cluster leader when the incident has no cluster (Department-directed or unrouted)."""


def escalation_target(
    level: EscalationLevel, notify_role: str, *, cluster_no: int | None
) -> tuple[EscalationLevel, str]:
    """An incident without a cluster has no cluster leader: the Department office takes that step."""
    if level is EscalationLevel.CLUSTER_LEADER and cluster_no is None:
        return EscalationLevel.DEPARTMENT_OFFICE, DUTY_DESK_ROLE
    return level, notify_role


@dataclass(frozen=True)
class StepTarget:
    """Who a firing step notifies, and the role of the incident's scope it passed over (if any)."""

    level: EscalationLevel
    notify_role: str
    vacant: tuple[ScopeRole, ...] = ()


def pass_over_vacancy(
    level: EscalationLevel,
    notify_role: str,
    *,
    has_leader: bool,
    later: Sequence[tuple[EscalationLevel, str]],
) -> StepTarget:
    """A cluster leader's step in a cluster with no leader passes at once to the next step of the chain
    that has a person (``later``: the chain's steps after this one, in order), else the Department office.

    The Department's levels are never vacant: their desks' addresses are the notifications service's
    settings, and it falls through to the duty desk if a role resolves to nobody.
    """
    if level is not EscalationLevel.CLUSTER_LEADER or has_leader:
        return StepTarget(level, notify_role)
    vacant = (ScopeRole.CLUSTER_LEADER,)
    for next_level, next_role in later:
        if next_level is not EscalationLevel.CLUSTER_LEADER:
            return StepTarget(next_level, next_role, vacant)
    return StepTarget(EscalationLevel.DEPARTMENT_OFFICE, DUTY_DESK_ROLE, vacant)


def still_needed(deadline: DeadlineKind, status: IncidentStatus) -> bool:
    """Whether a passed deadline still matters: acknowledged in time means nobody is chased."""
    if deadline is DeadlineKind.ACKNOWLEDGEMENT:
        return status is IncidentStatus.REPORTED
    return status in (IncidentStatus.REPORTED, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS)
