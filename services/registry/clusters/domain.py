"""Periods of belonging (a commune or a person to a cluster): history is closed, never rewritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol


class Period(Protocol):
    valid_from: date
    valid_to: date | None


class Assignment(Period, Protocol):
    cluster_no: int | None


def close_current_assignment(history: Sequence[Period], *, effective_from: date) -> None:
    """End the open assignment the day before ``effective_from``; a move may not predate it.

    History is kept, never rewritten: a move only closes the open period and the caller opens the next.
    """
    current = [period for period in history if period.valid_to is None]
    if len(current) != 1:
        raise ValueError(f"expected one open assignment, found {len(current)}")
    close_period(current[0], ending_before=effective_from)


def close_period(period: Period, *, ending_before: date) -> None:
    """Close an open period the day before ``ending_before``, which must come after the period began."""
    if ending_before <= period.valid_from:
        started = period.valid_from.isoformat()
        raise ValueError(f"a change must take effect after {started}, when the current period began")
    period.valid_to = ending_before - timedelta(days=1)


def is_current(period: Period, *, on: date) -> bool:
    return period.valid_from <= on and (period.valid_to is None or on <= period.valid_to)


def cluster_on(history: Sequence[Assignment], day: date) -> int | None:
    """The cluster a commune (and so each of its schools) belonged to on ``day``; None: the Department's.

    A day before the first period is an error: the commune did not exist in the registry's history then.
    """
    for period in history:
        if is_current(period, on=day):
            return period.cluster_no
    raise ValueError(f"no assignment covers {day.isoformat()}")
