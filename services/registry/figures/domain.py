"""School-year figures, without I/O: which school year is under way, and whether a report is the one that
stands for its year (the newest; a late-arriving older version never overwrites a newer one)."""

from __future__ import annotations

from datetime import date, datetime

SCHOOL_YEAR_STARTS_MONTH = 8
"""Vietnam's school year opens on 5 September; the start-of-year returns are filed from August on."""


def school_year_of(day: date) -> str:
    """``2026-2027`` from August 2026 to July 2027."""
    first = day.year if day.month >= SCHOOL_YEAR_STARTS_MONTH else day.year - 1
    return f"{first}-{first + 1}"


def stands(*, reported_at: datetime, version: int, newest: tuple[datetime, int] | None) -> bool:
    """Whether a report is the newest of its school year (by time, then version), so it is the one kept."""
    return newest is None or (reported_at, version) >= newest
