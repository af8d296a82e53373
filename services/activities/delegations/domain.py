"""Rules of a delegation: visits fall within its dates, a head leads it, the report comes once. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from shared.errors import rule_broken
from shared.events.activities import ActivityStatus


def check_plan(
    *, member_roles: Sequence[str], visit_dates: Sequence[date], starts_at: datetime, ends_at: datetime
) -> None:
    if member_roles.count("head") != 1:
        raise rule_broken(
            "delegation_head", "a delegation has exactly one head", field="members", conflict=False
        )
    for visit_date in visit_dates:
        if not starts_at.date() <= visit_date <= ends_at.date():
            raise rule_broken(
                "visit_dates",
                f"visit on {visit_date} is outside the delegation's dates",
                field="visits",
                conflict=False,
            )


def check_report(
    *, status: ActivityStatus, already_filed: bool, follow_ups: Sequence[date | None], ends_at: datetime
) -> None:
    if status not in (ActivityStatus.IN_PROGRESS, ActivityStatus.COMPLETED):
        raise rule_broken(
            "report_timing", f"the report is filed once the delegation has started, not when {status}"
        )
    if already_filed:
        raise rule_broken("report_filed", "the delegation's report is already filed")
    for due in follow_ups:
        if due is not None and due < ends_at.date():
            raise rule_broken(
                "follow_up_due",
                "a follow-up deadline falls after the delegation ends",
                field="recommendations",
                conflict=False,
            )
