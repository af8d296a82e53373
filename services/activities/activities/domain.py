"""Rules of an activity: its status machine, its schedule, the venue calendar, its audience and its seats.

No I/O: the replica's facts are handed in as plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from shared.clock import VIETNAM
from shared.errors import ServiceError, rule_broken
from shared.events.activities import ActivityKind, ActivityStatus, Eligibility, RegistrationStatus

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
        raise rule_broken(
            "status_transition", f"an activity cannot go from {current} to {target}", field="status"
        )
    if target is S.CANCELLED and not (reason and reason.strip()):
        raise rule_broken("cancel_reason", "cancelling needs a reason", field="reason", conflict=False)


def check_can_open_registration(*, opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at is None or closes_at is None:
        raise rule_broken(
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
            raise rule_broken(
                "schedule",
                f"{name} must fall in {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}",
                field=name,
                conflict=False,
            )
    if schedule.ends_at <= schedule.starts_at:
        raise rule_broken("schedule", "an activity must end after it starts", field="ends_at", conflict=False)
    opens, closes = schedule.registration_opens_at, schedule.registration_closes_at
    if (opens is None) != (closes is None):
        raise rule_broken(
            "registration_window",
            "give both ends of the registration window, or neither",
            field="registration_closes_at" if closes is None else "registration_opens_at",
            conflict=False,
        )
    if opens is not None and closes is not None:
        if closes <= opens:
            raise rule_broken(
                "registration_window",
                "registration must close after it opens",
                field="registration_closes_at",
                conflict=False,
            )
        if closes > schedule.starts_at:
            raise rule_broken(
                "registration_window",
                "registration must close before the activity starts",
                field="registration_closes_at",
                conflict=False,
            )


def check_scope(*, whole_province: bool, cluster_nos: Iterable[int]) -> list[int]:
    """The involved clusters, sorted and distinct; one or several clusters, or the whole province."""
    clusters = sorted(set(cluster_nos))
    if whole_province and clusters:
        raise rule_broken(
            "clusters", "a province-wide activity names no clusters", field="cluster_nos", conflict=False
        )
    if not whole_province and not clusters:
        raise rule_broken(
            "clusters",
            "name the clusters involved, or make it province-wide",
            field="cluster_nos",
            conflict=False,
        )
    if any(number < 1 for number in clusters):
        raise rule_broken("clusters", "cluster numbers start at 1", field="cluster_nos", conflict=False)
    return clusters


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: one activity ending at 11:00 and another starting at 11:00 do not clash."""
    return a_start < b_end and b_start < a_end


def check_venue_free(*, venue: str | None, clashing_titles: list[str]) -> None:
    if venue and clashing_titles:
        raise rule_broken(
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
        raise rule_broken(
            "week", f"{iso_week!r} is not an ISO week such as 2026-W48", field="week", conflict=False
        ) from exc
    start = datetime.combine(monday, time(0), tzinfo=VIETNAM).astimezone(UTC)
    return start, start + timedelta(days=7)


@dataclass(frozen=True)
class Seats:
    """An activity's places: its capacity (None: no limit), the seats taken, and whether a waiting list
    takes whoever comes once every seat is taken.

    The rules of who gets a seat. Only ``registrations.service.PlaceKeeper`` changes the seats taken and
    the waiting list, with the activity locked, so the capacity is never exceeded.
    """

    capacity: int | None
    taken: int
    waitlist_enabled: bool

    def place(self) -> RegistrationStatus:
        """A seat if one is free, else the waiting list, else a refusal."""
        if self.capacity is None or self.taken < self.capacity:
            return RegistrationStatus.REGISTERED
        if self.waitlist_enabled:
            return RegistrationStatus.WAITLISTED
        raise rule_broken("capacity", f"all {self.capacity} places are taken and there is no waiting list")

    def promotable(self, waiting: int) -> int:
        """How many of the ``waiting`` get a seat now (after capacity grew, or someone withdrew)."""
        free = waiting if self.capacity is None else max(self.capacity - self.taken, 0)
        return min(free, waiting)

    def check_holds_taken(self) -> None:
        """A capacity, once changed, must still hold the seats already taken."""
        if self.capacity is not None and self.capacity < self.taken:
            raise rule_broken(
                "capacity",
                f"{self.taken} places are already taken; capacity cannot drop below that",
                field="capacity",
            )


@dataclass(frozen=True)
class SchoolFacts:
    """What the rules need to know of a school, as the registry replica holds it."""

    code: str
    level: str
    cluster_no: int | None
    status: str


@dataclass(frozen=True)
class Audience:
    """Who an activity is for: where (clusters or the whole province), which levels, and its eligibility."""

    whole_province: bool
    cluster_nos: Collection[int]
    levels: Collection[str]
    eligibility: Eligibility


# An inter-level school (primary + lower secondary) takes part in what either of its levels is invited to.
_LEVELS_OF_SCHOOL = {"inter_level": frozenset({"inter_level", "primary", "lower_secondary"})}


def level_matches(school_level: str, admitted: Collection[str]) -> bool:
    return bool(_LEVELS_OF_SCHOOL.get(school_level, frozenset({school_level})).intersection(admitted))


def school_refusal(audience: Audience, school: SchoolFacts | None, school_code: str) -> ServiceError | None:
    """Why a school may not take part, or None when it may."""
    if school is None:
        return rule_broken(
            "school_unknown",
            f"school {school_code} is not in the registry",
            field="school_code",
            conflict=False,
        )
    if school.status != "active":
        return rule_broken(
            "school_inactive", f"school {school.code} is {school.status}", field="school_code", conflict=False
        )
    levels = audience.eligibility.levels or audience.levels
    if levels and not level_matches(school.level, [str(level) for level in levels]):
        return rule_broken(
            "eligibility_level",
            f"school {school.code} is {school.level}; admitted: {', '.join(sorted(map(str, levels)))}",
            field="school_code",
            conflict=False,
        )
    clusters = set(audience.eligibility.cluster_nos)
    if not audience.whole_province:
        clusters = clusters.intersection(audience.cluster_nos) if clusters else set(audience.cluster_nos)
    if (clusters or not audience.whole_province) and school.cluster_no not in clusters:
        return rule_broken(
            "eligibility_cluster",
            f"school {school.code} is in cluster {school.cluster_no}; admitted: {sorted(clusters)}",
            field="school_code",
            conflict=False,
        )
    return None
