"""Deadlines and escalation chains: when an incident must be acknowledged and resolved, and who is told,
step by step, once a deadline passes (cluster leader → Department office → Department leadership →
province). Plans are plain data; the scheduler stores them and fires each step once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from shared.events.incidents import DeadlineKind, EscalationLevel, IncidentStatus

LEVEL_RANK: dict[EscalationLevel, int] = {
    EscalationLevel.CLUSTER_LEADER: 1,
    EscalationLevel.DEPARTMENT_OFFICE: 2,
    EscalationLevel.DEPARTMENT_LEADERSHIP: 3,
    EscalationLevel.PROVINCE: 4,
}

DUTY_DESK_ROLE = "department_officer"
"""Who stands in for a cluster leader when the incident has no cluster (Department-directed or unrouted)."""


class EscalationStep(BaseModel):
    """One step of a severity's chain: wait, notify a role at a level, repeat up to ``repeat`` times."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: EscalationLevel
    notify_role: str = Field(min_length=1, max_length=50, description="e.g. cluster_leader")
    after_minutes: int = Field(
        ge=0, le=60 * 24 * 30, description="Wait after the deadline (first step) or after the previous step"
    )
    repeat: int = Field(default=1, ge=1, le=10, description="How many times this level is notified")
    every_minutes: int = Field(default=60, ge=1, le=60 * 24 * 7, description="Minutes between repeats")


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    resolve_by: datetime


@dataclass(frozen=True)
class PlannedEscalation:
    deadline: DeadlineKind
    deadline_at: datetime
    step: int
    level: EscalationLevel
    notify_role: str
    due_at: datetime


def deadlines_from(start: datetime, *, acknowledge_minutes: int, resolve_minutes: int) -> Deadlines:
    return Deadlines(
        start + timedelta(minutes=acknowledge_minutes), start + timedelta(minutes=resolve_minutes)
    )


def plan_escalations(
    *, deadline: DeadlineKind, deadline_at: datetime, chain: Sequence[EscalationStep]
) -> list[PlannedEscalation]:
    """Every firing of the chain after ``deadline_at``, numbered from 1, repeats included."""
    planned: list[PlannedEscalation] = []
    due = deadline_at
    for step in chain:
        due += timedelta(minutes=step.after_minutes)
        for repeat in range(step.repeat):
            if repeat:
                due += timedelta(minutes=step.every_minutes)
            planned.append(
                PlannedEscalation(deadline, deadline_at, len(planned) + 1, step.level, step.notify_role, due)
            )
    return planned


def plan_both(deadlines: Deadlines, chain: Sequence[EscalationStep]) -> list[PlannedEscalation]:
    return [
        *plan_escalations(
            deadline=DeadlineKind.ACKNOWLEDGEMENT, deadline_at=deadlines.acknowledge_by, chain=chain
        ),
        *plan_escalations(deadline=DeadlineKind.RESOLUTION, deadline_at=deadlines.resolve_by, chain=chain),
    ]


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


def cancelled_by(new_status: IncidentStatus) -> tuple[DeadlineKind, ...]:
    """Which pending escalations a transition makes moot."""
    if new_status is IncidentStatus.ACKNOWLEDGED:
        return (DeadlineKind.ACKNOWLEDGEMENT,)
    if new_status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        return (DeadlineKind.ACKNOWLEDGEMENT, DeadlineKind.RESOLUTION)
    return ()
