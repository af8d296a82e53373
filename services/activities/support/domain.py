"""Support program rules: pairings, contributions, school years and totals. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.errors import rule_broken
from shared.events.activities import ContributionKind

VALUED_KINDS = frozenset({ContributionKind.MONEY, ContributionKind.GOODS, ContributionKind.EQUIPMENT})
SCHOOL_YEAR_STARTS_MONTH = 9  # a Vietnamese school year runs from September to the next summer


def school_year_of(day: date) -> str:
    start = day.year if day.month >= SCHOOL_YEAR_STARTS_MONTH else day.year - 1
    return f"{start}-{start + 1}"


def check_pairing(
    *, helper: tuple[str, str], helped: tuple[str, str], period_from: date, period_to: date | None
) -> None:
    if helper == helped:
        raise rule_broken(
            "pairing_self", "a unit cannot be paired with itself", field="helped", conflict=False
        )
    if period_to is not None and period_to < period_from:
        raise rule_broken(
            "pairing_period", "the pairing must end after it starts", field="period_to", conflict=False
        )


def check_contribution(
    *, kind: ContributionKind, value_vnd: int, on: date, period_from: date, period_to: date | None
) -> None:
    if kind in VALUED_KINDS and value_vnd <= 0:
        raise rule_broken(
            "contribution_value", f"{kind} needs its value in whole VND", field="value_vnd", conflict=False
        )
    if on < period_from or (period_to is not None and on > period_to):
        raise rule_broken(
            "contribution_period",
            f"{on} is outside the pairing's period",
            field="contributed_on",
            conflict=False,
        )


class TotalsBy(StrEnum):
    SCHOOL_YEAR = "school_year"
    KIND = "kind"
    HELPER_UNIT = "helper_unit"
    HELPED_UNIT = "helped_unit"
    HELPER_CLUSTER = "helper_cluster"
    HELPED_CLUSTER = "helped_cluster"


@dataclass(frozen=True)
class ContributionFacts:
    school_year: str
    kind: str
    value_vnd: int
    helper_code: str
    helped_code: str
    helper_cluster_no: int | None
    helped_cluster_no: int | None


_GROUP_KEY: dict[TotalsBy, Callable[[ContributionFacts], str]] = {
    TotalsBy.SCHOOL_YEAR: lambda c: c.school_year,
    TotalsBy.KIND: lambda c: c.kind,
    TotalsBy.HELPER_UNIT: lambda c: c.helper_code,
    TotalsBy.HELPED_UNIT: lambda c: c.helped_code,
    TotalsBy.HELPER_CLUSTER: lambda c: _cluster(c.helper_cluster_no),
    TotalsBy.HELPED_CLUSTER: lambda c: _cluster(c.helped_cluster_no),
}


def _cluster(number: int | None) -> str:
    return "none" if number is None else str(number)


def totals(contributions: Iterable[ContributionFacts], by: TotalsBy) -> list[tuple[str, int, int]]:
    """(group, number of contributions, total value in VND), largest value first; integers throughout."""
    sums: dict[str, list[int]] = {}
    for contribution in contributions:
        line = sums.setdefault(_GROUP_KEY[by](contribution), [0, 0])
        line[0] += 1
        line[1] += contribution.value_vnd
    return sorted(((group, n, value) for group, (n, value) in sums.items()), key=lambda t: (-t[2], t[0]))
