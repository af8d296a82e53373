"""A notice's rules, without I/O: a draft is edited, a published notice never is (a correction is a new
notice referring to it); dates that make sense; the summary a notice shows when none was written."""

from __future__ import annotations

from datetime import datetime

from services.notices.notices.models import NoticeStatus
from shared.errors import Unprocessable, rule_broken

SUMMARY_CHARS = 300


def check_editable(status: str, number: str) -> None:
    if status != NoticeStatus.DRAFT:
        raise rule_broken(
            "published_notice_immutable",
            f"notice {number} is published and cannot be edited: publish a correction referring to it",
            field="status",
        )


def check_dates(*, reply_by: datetime | None, return_due_at: datetime | None, now: datetime) -> None:
    if reply_by is not None and reply_by <= now:
        raise Unprocessable("reply_by must be in the future", field="reply_by")
    if return_due_at is not None and return_due_at <= now:
        raise Unprocessable("the return's due_at must be in the future", field="return_request.due_at")


def check_publishable(*, status: str, number: str, reply_by: datetime | None, now: datetime) -> None:
    if status != NoticeStatus.DRAFT:
        raise rule_broken("already_published", f"notice {number} is already published", field="status")
    if reply_by is not None and reply_by <= now:
        raise Unprocessable("reply_by has passed: change it before publishing", field="reply_by")


def check_correction(*, corrected_status: str | None, corrected_number: str | None) -> None:
    if corrected_status is None:
        raise Unprocessable("the corrected notice does not exist", field="corrects_notice_id")
    if corrected_status != NoticeStatus.PUBLISHED:
        raise Unprocessable(
            f"notice {corrected_number} is a draft: edit it instead of correcting it",
            field="corrects_notice_id",
        )


def summary_of(body: str) -> str:
    """The body's first words, for a notice written without a summary."""
    text = " ".join(body.split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
