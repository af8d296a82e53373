"""Rules of an activity's life: its status machine, its schedule, the venue calendar. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from services.activities.rules import RuleBroken, unprocessable
from shared.clock import VIETNAM
from shared.events.activities import ActivityKind, ActivityStatus

S = ActivityStatus

TRANSITIONS: dict[ActivityStatus, frozenset[ActivityStatus]] = {
    # An activity without registration (a seminar for invited people, a delegation) may start directly.
    S.PLANNED: frozenset({S.REGISTRATION_OPEN, S.IN_PROGRESS, S.CANCELLED}),
    S.REGISTRATION_OPEN: frozenset({S.REGISTRATION_CLOSED, S.CANCELLED}),
    S.REGISTRATION_CLOSED: frozenset({S.REGISTRATION_OPEN, S.IN_PROGRESS, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

EDITABLE = frozenset({S.PLANNED, S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED})
CONTEST_KINDS = frozenset({ActivityKind.TEACHER_CONTEST, ActivityKind.PUPIL_CONTEST})


def check_transition(current: ActivityStatus, target: ActivityStatus, *, reason: str | None = None) -> None:
    if target not in TRANSITIONS[current]:
        raise RuleBroken(
            "status_transition", f"an activity cannot go from {current} to {target}", field="status"
        )
    if target is S.CANCELLED and not (reason and reason.strip()):
        raise unprocessable("cancel_reason", "cancelling needs a reason", field="reason")


def check_can_open_registration(*, opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is None or closes_at is None:
        raise RuleBroken(
            "registration_window",
            "set the registration window before opening registration",
            field="registration_closes_at",
        )


@dataclass(frozen=True)
class Schedule:
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None


SUPPORTED_YEARS = range(2000, 2100)
"""Years an activity may fall in: anything else is a typo, and the calendar's first and last years cannot
even be turned into UTC (a 500 where a 422 belongs)."""


def check_schedule(schedule: Schedule) -> None:
    for name, moment in vars(schedule).items():
        if moment is not None and moment.year not in SUPPORTED_YEARS:
            raise unprocessable(
                "schedule",
                f"{name} must fall in {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}",
                field=name,
            )
    if schedule.ends_at <= schedule.starts_at:
        raise unprocessable("schedule", "an activity must end after it starts", field="ends_at")
    opens, closes = schedule.registration_opens_at, schedule.registration_closes_at
    if (opens is None) != (closes is None):
        raise unprocessable(
            "registration_window",
            "give both ends of the registration window, or neither",
            field="registration_closes_at" if closes is None else "registration_opens_at",
        )
    if opens is not None and closes is not None:
        if closes <= opens:
            raise unprocessable(
                "registration_window",
                "registration must close after it opens",
                field="registration_closes_at",
            )
        if closes > schedule.starts_at:
            raise unprocessable(
                "registration_window",
                "registration must close before the activity starts",
                field="registration_closes_at",
            )


def check_scope(*, whole_province: bool, cluster_nos: Iterable[int]) -> list[int]:
    """The involved clusters, sorted and distinct; one or several clusters, or the whole province."""
    clusters = sorted(set(cluster_nos))
    if whole_province and clusters:
        raise unprocessable("clusters", "a province-wide activity names no clusters", field="cluster_nos")
    if not whole_province and not clusters:
        raise unprocessable(
            "clusters", "name the clusters involved, or make it province-wide", field="cluster_nos"
        )
    if any(number < 1 for number in clusters):
        raise unprocessable("clusters", "cluster numbers start at 1", field="cluster_nos")
    return clusters


def check_capacity_change(*, new_capacity: int | None, seats_taken: int) -> None:
    if new_capacity is not None and new_capacity < seats_taken:
        raise RuleBroken(
            "capacity",
            f"{seats_taken} places are already taken; capacity cannot drop below that",
            field="capacity",
        )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: one activity ending at 11:00 and another starting at 11:00 do not clash."""
    return a_start < b_end and b_start < a_end


def check_venue_free(*, venue: str | None, clashing_titles: list[str]) -> None:
    if venue and clashing_titles:
        raise RuleBroken(
            "venue_double_booked",
            f"venue {venue} is already booked then for: {', '.join(clashing_titles)}",
            field="venue_school_code",
        )


def week_bounds(iso_week: str) -> tuple[datetime, datetime]:
    """``2026-W48`` → Monday 00:00 to the next Monday 00:00, in UTC+7 (Vietnam), as UTC datetimes."""
    try:
        year_text, week_text = iso_week.split("-W")
        monday = date.fromisocalendar(int(year_text), int(week_text), 1)
        if monday.year not in SUPPORTED_YEARS:
            raise ValueError(iso_week)
    except ValueError as exc:
        raise unprocessable(
            "week", f"{iso_week!r} is not an ISO week such as 2026-W48", field="week"
        ) from exc
    start = datetime.combine(monday, time(0), tzinfo=VIETNAM).astimezone(UTC)
    return start, start + timedelta(days=7)


def free_places(capacity: int | None, seats_taken: int, waiting: int) -> int:
    """How many of the ``waiting`` people fit now (after capacity grew, or someone withdrew)."""
    if capacity is None:
        return waiting
    return min(max(capacity - seats_taken, 0), waiting)
