"""Returns, without I/O: whether a submission is late, whether it may still be corrected, and the
reporting rates of a group of schools (the way DHIS2 counts expected, actual and on-time reports)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from services.notices.returns.models import GroupBy, Rate, SchoolReturn
from shared.errors import rule_broken

ON_TIME, LATE, MISSING = "on_time", "late", "missing"


def is_late(*, submitted_at: datetime, due_at: datetime) -> bool:
    return submitted_at > due_at


def check_correctable(*, now: datetime, due_at: datetime) -> None:
    """A first return after the due date is taken (and marked late); a correction is not."""
    if now > due_at:
        raise rule_broken(
            "return_closed",
            f"the return was due at {due_at.isoformat()}: it can no longer be corrected",
            field="values",
        )


def rate(group: str, schools: Sequence[SchoolReturn], *, cluster_no: int | None = None) -> Rate:
    expected = len(schools)
    on_time = sum(1 for s in schools if s.status == ON_TIME)
    late = sum(1 for s in schools if s.status == LATE)
    return Rate(
        group=group,
        cluster_no=cluster_no,
        expected=expected,
        submitted=on_time + late,
        on_time=on_time,
        late=late,
        missing=expected - on_time - late,
        reporting_rate=round((on_time + late) / expected, 4) if expected else 0.0,
        on_time_rate=round(on_time / expected, 4) if expected else 0.0,
    )


def rates(schools: Sequence[SchoolReturn], group_by: GroupBy) -> list[Rate]:
    key: Callable[[SchoolReturn], str] = {
        GroupBy.CLUSTER: lambda s: str(s.cluster_no) if s.cluster_no is not None else "none",
        GroupBy.COMMUNE: lambda s: s.commune_code,
        GroupBy.LEVEL: lambda s: s.level or "unknown",
        GroupBy.SCHOOL: lambda s: s.school_code,
    }[group_by]
    groups: dict[str, list[SchoolReturn]] = {}
    for school in schools:
        groups.setdefault(key(school), []).append(school)
    found = []
    for name in sorted(groups, key=_natural):
        members = groups[name]
        clusters = {member.cluster_no for member in members}
        found.append(rate(name, members, cluster_no=clusters.pop() if len(clusters) == 1 else None))
    return found


def _natural(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (10**9, name)


def missing_by_cluster(schools: Iterable[SchoolReturn]) -> dict[int | None, list[SchoolReturn]]:
    found: dict[int | None, list[SchoolReturn]] = {}
    for school in schools:
        if school.status == MISSING:
            found.setdefault(school.cluster_no, []).append(school)
    return found
