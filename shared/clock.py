"""Time, one way for every service: timezone-aware UTC instants, an injectable clock, Vietnam's calendar.

Dates that matter to people (a commune's move, a deadline's day) are Vietnam's; instants are stored in
UTC. Code that needs "now" takes a ``Clock`` so tests move time instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Clock = Callable[[], datetime]
"""Gives the current instant, timezone-aware."""


def utc_now() -> datetime:
    return datetime.now(UTC)


system_clock: Clock = utc_now


def today_in_vietnam(now: datetime | None = None) -> date:
    return (now or utc_now()).astimezone(VIETNAM).date()
