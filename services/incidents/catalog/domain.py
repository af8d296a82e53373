"""What the catalogs mean, free of I/O: how a report gets its severity, and what a severity's targets and
escalation chain turn into once an incident has it.

A report starts at the reporter's choice or the category's default and is raised by the rules the
Department keeps as data (food poisoning with 50 or more cases, any death: critical). A severity's
targets give the incident its deadlines; its chain says who is told, step by step, once a deadline passes
(cluster leader → Department office → Department leadership → province). Plans are plain data; the
escalation scheduler stores them and fires each step once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.incidents import DeadlineKind, EscalationLevel

# Classification


class Measure(StrEnum):
    """A count of people affected that a severity rule looks at."""

    INJURED = "injured"
    DEAD = "dead"
    MISSING = "missing"
    OUT_OF_SCHOOL = "out_of_school"


@dataclass(frozen=True)
class RaisingRule:
    category_code: str | None
    """None: the rule applies to every category."""
    measure: Measure
    at_least: int
    raises_to: str


@dataclass(frozen=True)
class Classification:
    severity: str
    raised_by: tuple[RaisingRule, ...]
    """The rules that made it more severe than asked (empty when none did)."""


def classify(
    *,
    category_code: str,
    starting_severity: str,
    counts: Mapping[Measure, int],
    rules: Sequence[RaisingRule],
    rank_of: Mapping[str, int],
) -> Classification:
    """The most severe of the starting severity and every rule that applies (rank 1 is the most severe).

    Rules only raise: a reporter may ask for more than the rules say, never for less.
    """
    severity = starting_severity
    raised_by: list[RaisingRule] = []
    for rule in rules:
        if rule.category_code not in (None, category_code):
            continue
        if counts.get(rule.measure, 0) < rule.at_least:
            continue
        if rank_of[rule.raises_to] < rank_of[severity]:
            severity = rule.raises_to
            raised_by.append(rule)
    return Classification(severity, tuple(rule for rule in raised_by if rule.raises_to == severity))


# Deadlines and escalation chains


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
