"""How a report gets its severity: the reporter's choice or the category's default, raised by the rules
the Department keeps as data (food poisoning with 50 or more cases, any death: critical)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


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
