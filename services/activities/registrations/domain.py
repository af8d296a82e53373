"""Registration rules: who may be registered, the window, withdrawal, one person's identity. No I/O.

The replica's facts are handed in as plain values; the service loads them and takes the activity's lock.
Whether the school may take part is the activity's audience (``activities.domain``); who gets a seat is
the activity's ``Seats``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from services.activities.activities.domain import Audience, SchoolFacts, school_refusal
from shared.errors import rule_broken
from shared.events.activities import ActivityStatus, ParticipantKind


@dataclass(frozen=True)
class StaffFacts:
    code: str
    full_name: str
    roles: Collection[str]
    school_code: str | None
    subject: str | None
    active: bool


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
        raise rule_broken(
            "eligibility_participant_kind",
            f"this activity is for {rules.participant_kind}s",
            field="participant_kind",
            conflict=False,
        )
    if kind is ParticipantKind.TEACHER:
        if staff_code is None:
            raise rule_broken(
                "staff_code_required",
                "a teacher is registered by staff code",
                field="staff_code",
                conflict=False,
            )
        if staff is None or not staff.active:
            raise rule_broken(
                "staff_unknown",
                f"staff {staff_code} is not in the registry",
                field="staff_code",
                conflict=False,
            )
        if staff.school_code != school_code:
            raise rule_broken(
                "staff_school",
                f"staff {staff.code} does not work at school {school_code}",
                field="staff_code",
                conflict=False,
            )
        if rules.staff_roles and not set(rules.staff_roles).intersection(staff.roles):
            raise rule_broken(
                "eligibility_role",
                f"staff {staff.code} has none of the roles {', '.join(rules.staff_roles)}",
                field="staff_code",
                conflict=False,
            )
        subject = subject or staff.subject
    elif not full_name:
        raise rule_broken(
            "full_name_required", "a pupil is registered by full name", field="full_name", conflict=False
        )
    if rules.subjects and _fold(subject) not in {_fold(s) for s in rules.subjects}:
        raise rule_broken(
            "eligibility_subject",
            f"subject {subject!r} is not one of {', '.join(rules.subjects)}",
            field="subject",
            conflict=False,
        )


def check_window(
    status: ActivityStatus, *, opens_at: datetime | None, closes_at: datetime | None, now: datetime
) -> None:
    if status is not ActivityStatus.REGISTRATION_OPEN:
        raise rule_broken("registration_window", f"registration is not open (the activity is {status})")
    if opens_at is not None and now < opens_at:
        raise rule_broken("registration_window", f"registration opens at {opens_at.isoformat()}")
    if closes_at is not None and now >= closes_at:
        raise rule_broken("registration_window", f"registration closed at {closes_at.isoformat()}")


def check_withdrawal(status: ActivityStatus) -> None:
    if status not in (ActivityStatus.REGISTRATION_OPEN, ActivityStatus.REGISTRATION_CLOSED):
        raise rule_broken("withdrawal_window", f"no withdrawal once the activity is {status}")


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
        raise rule_broken(
            "participant_double_booked",
            f"the participant is already registered then for: {', '.join(clashing_titles)}",
            field="staff_code",
        )


def _fold(text: str | None) -> str:
    """Compare names and subjects without case, spacing or Unicode form mattering (Vietnamese diacritics)."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())
