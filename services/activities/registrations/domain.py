"""Registration rules: eligibility, the window, capacity and the waiting list. No I/O.

The replica's facts are handed in as plain values; the service loads them and takes the activity's lock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from services.activities.rules import RuleBroken, unprocessable
from shared.events.activities import ActivityStatus, Eligibility, ParticipantKind, RegistrationStatus


@dataclass(frozen=True)
class SchoolFacts:
    code: str
    level: str
    cluster_no: int | None
    status: str


@dataclass(frozen=True)
class StaffFacts:
    code: str
    full_name: str
    roles: Collection[str]
    school_code: str | None
    subject: str | None
    active: bool


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


def school_refusal(audience: Audience, school: SchoolFacts | None, school_code: str) -> RuleBroken | None:
    """Why a school may not take part, or None when it may."""
    if school is None:
        return unprocessable(
            "school_unknown", f"school {school_code} is not in the registry", field="school_code"
        )
    if school.status != "active":
        return unprocessable(
            "school_inactive", f"school {school.code} is {school.status}", field="school_code"
        )
    levels = audience.eligibility.levels or audience.levels
    if levels and not level_matches(school.level, [str(level) for level in levels]):
        return unprocessable(
            "eligibility_level",
            f"school {school.code} is {school.level}; admitted: {', '.join(sorted(map(str, levels)))}",
            field="school_code",
        )
    clusters = set(audience.eligibility.cluster_nos)
    if not audience.whole_province:
        clusters = clusters.intersection(audience.cluster_nos) if clusters else set(audience.cluster_nos)
    if (clusters or not audience.whole_province) and school.cluster_no not in clusters:
        return unprocessable(
            "eligibility_cluster",
            f"school {school.code} is in cluster {school.cluster_no}; admitted: {sorted(clusters)}",
            field="school_code",
        )
    return None


def check_participant(
    audience: Audience,
    *,
    school: SchoolFacts | None,
    school_code: str,
    kind: ParticipantKind,
    staff: StaffFacts | None,
    staff_code: str | None,
    full_name: str | None,
    subject: str | None,
) -> None:
    refusal = school_refusal(audience, school, school_code)
    if refusal is not None:
        raise refusal
    rules = audience.eligibility
    if kind is not rules.participant_kind:
        raise unprocessable(
            "eligibility_participant_kind",
            f"this activity is for {rules.participant_kind}s",
            field="participant_kind",
        )
    if kind is ParticipantKind.TEACHER:
        if staff_code is None:
            raise unprocessable(
                "staff_code_required", "a teacher is registered by staff code", field="staff_code"
            )
        if staff is None or not staff.active:
            raise unprocessable(
                "staff_unknown", f"staff {staff_code} is not in the registry", field="staff_code"
            )
        if staff.school_code != school_code:
            raise unprocessable(
                "staff_school",
                f"staff {staff.code} does not work at school {school_code}",
                field="staff_code",
            )
        if rules.staff_roles and not set(rules.staff_roles).intersection(staff.roles):
            raise unprocessable(
                "eligibility_role",
                f"staff {staff.code} has none of the roles {', '.join(rules.staff_roles)}",
                field="staff_code",
            )
        subject = subject or staff.subject
    elif not full_name:
        raise unprocessable("full_name_required", "a pupil is registered by full name", field="full_name")
    if rules.subjects and _fold(subject) not in {_fold(s) for s in rules.subjects}:
        raise unprocessable(
            "eligibility_subject",
            f"subject {subject!r} is not one of {', '.join(rules.subjects)}",
            field="subject",
        )


def check_window(
    status: ActivityStatus, *, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> None:
    if status is not ActivityStatus.REGISTRATION_OPEN:
        raise RuleBroken("registration_window", f"registration is not open (the activity is {status})")
    if opens_at is not None and now < opens_at:
        raise RuleBroken("registration_window", f"registration opens at {opens_at.isoformat()}")
    if closes_at is not None and now >= closes_at:
        raise RuleBroken("registration_window", f"registration closed at {closes_at.isoformat()}")


def check_withdrawal(status: ActivityStatus) -> None:
    if status not in (ActivityStatus.REGISTRATION_OPEN, ActivityStatus.REGISTRATION_CLOSED):
        raise RuleBroken("withdrawal_window", f"no withdrawal once the activity is {status}")


def place(*, capacity: int | None, seats_taken: int, waitlist_enabled: bool) -> RegistrationStatus:
    """A seat if one is free, else the waiting list, else a refusal."""
    if capacity is None or seats_taken < capacity:
        return RegistrationStatus.REGISTERED
    if waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise RuleBroken("capacity", f"all {capacity} places are taken and there is no waiting list")


def to_promote(waiting_queue_nos: Sequence[int], *, capacity: int | None, seats_taken: int) -> int:
    """How many of the waiting (served by ``queue_no``) get a seat now."""
    free = len(waiting_queue_nos) if capacity is None else max(capacity - seats_taken, 0)
    return min(free, len(waiting_queue_nos))


def participant_key(
    kind: ParticipantKind,
    *,
    school_code: str,
    staff_code: str | None,
    full_name: str | None,
    birth_date: date | None,
) -> str:
    """The same person gets the same key, so registering twice finds the first registration."""
    if kind is ParticipantKind.TEACHER:
        return f"staff:{staff_code}"
    born = birth_date.isoformat() if birth_date else "-"
    return f"pupil:{school_code}:{_fold(full_name)}:{born}"


def check_participant_free(*, clashing_titles: list[str]) -> None:
    if clashing_titles:
        raise RuleBroken(
            "participant_double_booked",
            f"the participant is already registered then for: {', '.join(clashing_titles)}",
            field="staff_code",
        )


def _fold(text: str | None) -> str:
    """Compare names and subjects without case, spacing or Unicode form mattering (Vietnamese diacritics)."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())
