"""Support program rules: periods, pairings, contributions, school years and totals. No I/O.

The program runs in periods (giai đoạn 2019-2023, 2023-2028, ...), which are data. A contribution's period
is the one its date falls in, never chosen: the Department sums up a period by what was given during it,
so a date decides it and nobody can book a gift into the wrong one. A pairing belongs to the period its
start falls in and may not outlast it (the next period pairs units again); a pairing stored before periods
existed may, so its contributions still take their period from their own dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.errors import rule_broken
from shared.events.activities import ContributionKindV2

VALUED_KINDS = frozenset({ContributionKindV2.MONEY, ContributionKindV2.GOODS, ContributionKindV2.EQUIPMENT})
SCHOOL_YEAR_STARTS_MONTH = 9  # a Vietnamese school year runs from September to the next summer


def school_year_of(day: date) -> str:
    start = day.year if day.month >= SCHOOL_YEAR_STARTS_MONTH else day.year - 1
    return f"{start}-{start + 1}"


@dataclass(frozen=True)
class PeriodSpan:
    code: str
    starts_on: date
    ends_on: date

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def period_of(day: date, periods: Iterable[PeriodSpan]) -> PeriodSpan | None:
    return next((period for period in periods if period.holds(day)), None)


def check_new_period(new: PeriodSpan, existing: Iterable[PeriodSpan]) -> None:
    """A period ends after it starts and overlaps no other, so every date has at most one period."""
    if new.ends_on < new.starts_on:
        raise rule_broken(
            "period_dates", "the period must end after it starts", field="ends_on", conflict=False
        )
    for period in existing:
        if period.code == new.code:
            raise rule_broken("period_exists", f"period {new.code} exists", field="code")
        if new.starts_on <= period.ends_on and period.starts_on <= new.ends_on:
            raise rule_broken(
                "period_overlap",
                f"{new.starts_on}..{new.ends_on} overlaps period {period.code}"
                f" ({period.starts_on}..{period.ends_on})",
                field="starts_on",
            )


def _period_or_refuse(day: date, periods: Iterable[PeriodSpan], field: str) -> PeriodSpan:
    period = period_of(day, periods)
    if period is None:
        raise rule_broken(
            "support_period", f"{day} is in no period of the support program", field=field, conflict=False
        )
    return period


def pairing_period(*, period_from: date, period_to: date | None, periods: Iterable[PeriodSpan]) -> str:
    """The period a new pairing belongs to: the one its start falls in, which it may not outlast."""
    period = _period_or_refuse(period_from, periods, "period_from")
    if period_to is not None and period_to > period.ends_on:
        raise rule_broken(
            "pairing_period_bounds",
            f"the pairing must end by {period.ends_on}, the end of period {period.code};"
            " pair the units again for the next period",
            field="period_to",
            conflict=False,
        )
    return period.code


def contribution_period(on: date, periods: Iterable[PeriodSpan]) -> str:
    """The period a contribution belongs to: the one its date falls in."""
    return _period_or_refuse(on, periods, "contributed_on").code


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
    *, kind: ContributionKindV2, value_vnd: int, on: date, period_from: date, period_to: date | None
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
    PERIOD = "period"
    KIND = "kind"
    HELPER_UNIT = "helper_unit"
    HELPED_UNIT = "helped_unit"
    HELPER_CLUSTER = "helper_cluster"
    HELPED_CLUSTER = "helped_cluster"


@dataclass(frozen=True)
class ContributionFacts:
    school_year: str
    period_code: str | None
    kind: str
    value_vnd: int
    helper_code: str
    helped_code: str
    helper_cluster_no: int | None
    helped_cluster_no: int | None


_GROUP_KEY: dict[TotalsBy, Callable[[ContributionFacts], str]] = {
    TotalsBy.SCHOOL_YEAR: lambda c: c.school_year,
    TotalsBy.PERIOD: lambda c: c.period_code or "none",
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
