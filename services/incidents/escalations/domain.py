"""Escalation rules, free of I/O: how high each level ranks, who stands in for a cluster leader when there
is no cluster, and whether a passed deadline still matters in the incident's status."""

from __future__ import annotations

from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus

LEVEL_RANK: dict[EscalationLevel, int] = {
    EscalationLevel.CLUSTER_LEADER: 1,
    EscalationLevel.DEPARTMENT_OFFICE: 2,
    EscalationLevel.DEPARTMENT_LEADERSHIP: 3,
    EscalationLevel.PROVINCE: 4,
}

DUTY_DESK_ROLE = "department_officer"
"""Who stands in for a cluster leader when the incident has no cluster (Department-directed or unrouted)."""


def escalation_target(
    level: EscalationLevel, notify_role: str, *, cluster_no: int | None
) -> tuple[EscalationLevel, str]:
    """An incident without a cluster has no cluster leader: the Department office takes that step."""
    if level is EscalationLevel.CLUSTER_LEADER and cluster_no is None:
        return EscalationLevel.DEPARTMENT_OFFICE, DUTY_DESK_ROLE
    return level, notify_role


def still_needed(deadline: DeadlineKind, status: IncidentStatus) -> bool:
    """Whether a passed deadline still matters: acknowledged in time means nobody is chased."""
    if deadline is DeadlineKind.ACKNOWLEDGEMENT:
        return status is IncidentStatus.REPORTED
    return status in (IncidentStatus.REPORTED, IncidentStatus.ACKNOWLEDGED, IncidentStatus.IN_PROGRESS)
