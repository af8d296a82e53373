"""Dates people write into the services, bounded to the years the Department's records can be about.

An award "decided" in the year 0241 was accepted once: a typo of 2024 that then sorts first in every
report, falls in no school year and breaks every period total. Every write model of every service refuses
such a date with a 422 naming the field.

The bound is a fixed span of calendar years, 2000 to 2100, and not "within N years of today". The
Department's records reach back to programs that began before the 2025 reform (the support program's
2019-2023 period, awards and memberships of those years, notices of earlier school years entered again)
and plan forward for a few years at most; 2000..2100 holds all of that with room, and a request that is
valid today is valid tomorrow, so an integrator (or a re-import of last year's spreadsheet) never meets
a limit that moved. A birth date is the one exception: people are born before 2000 (teachers, and adult
learners at the continuing-education centres) and never in the future, so ``BirthDate`` runs from 1900 to
today in Vietnam.

Two ways to use each, as in ``shared.validation``: as a type on plain pydantic input models
(``decision_date: RecordDate``), or as a validator on SQLModel input models whose fields come from a
table's base (``_dated = field_validator("assigned_from")(record_date)``), so rows stored before the
bound existed stay readable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, AwareDatetime

from shared.clock import today_in_vietnam

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
EARLIEST_BIRTH_YEAR = 1900

Dated = TypeVar("Dated", date, datetime, date | None, datetime | None)


def record_date(value: Dated) -> Dated:
    """A date or time of a record (a decision, a visit, a deadline): in the years 2000 to 2100."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR} (the year {value.year:04d} is not)"
        )
    return value


def birth_date(value: Dated) -> Dated:
    """A person's birth date: from 1900 to today (Vietnam's date), never in the future."""
    if value is None:
        return value
    today = today_in_vietnam()
    day = value.date() if isinstance(value, datetime) else value
    if day.year < EARLIEST_BIRTH_YEAR or day > today:
        raise ValueError(f"must be a birth date from {EARLIEST_BIRTH_YEAR} to today ({today.isoformat()})")
    return value


RecordDate = Annotated[date, AfterValidator(record_date)]
RecordDatetime = Annotated[AwareDatetime, AfterValidator(record_date)]
"""With its time zone (``AwareDatetime``), as every instant a service stores."""
BirthDate = Annotated[date, AfterValidator(birth_date)]
