"""Reads of returns: each expected school's status and current answer, the rates per cluster, commune,
level or school, and a school's versions.

The expected schools are the notice's school addressees (its receipts), with the cluster, commune and
level they had when the notice was published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from services.notices.notices import queries as notices
from services.notices.notices.models import Notice, NoticeStatus
from services.notices.receipts.models import Receipt
from services.notices.receipts.queries import load_for_reading, report_scope
from services.notices.returns import domain
from services.notices.returns.models import (
    GroupBy,
    RatesReport,
    ReturnSubmission,
    SchoolReturn,
    SubmissionPublic,
)
from shared.auth import CLUSTER_ROLES, Principal, Role
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.notices import AddresseeKind


async def requested_notice(
    uow: UnitOfWork, notice_id: str, *, principal: Principal | None = None, lock: bool = False
) -> Notice:
    """The published notice and its return request; for a caller, only a notice they may read (any other
    does not exist for them: its number, or whether it asks for a return, is not theirs to learn)."""
    if principal is not None:
        notice = await load_for_reading(uow, principal, notice_id)
    else:
        notice = await notices.get(uow, notice_id, lock=lock)
    if notice.status != NoticeStatus.PUBLISHED or not notice.return_form_code or notice.return_due_at is None:
        raise NotFound(f"notice {notice.number} requests no return", field="notice_id")
    return notice


async def expected_schools(uow: UnitOfWork, notice_id: str) -> Sequence[Receipt]:
    query = select(Receipt).where(
        col(Receipt.notice_id) == notice_id, col(Receipt.kind) == AddresseeKind.SCHOOL_PRINCIPAL
    )
    return (await uow.session.exec(query.order_by(col(Receipt.school_code)))).all()


async def submissions_of(
    uow: UnitOfWork, notice_id: str, school_code: str | None = None
) -> list[ReturnSubmission]:
    query = select(ReturnSubmission).where(col(ReturnSubmission.notice_id) == notice_id)
    if school_code is not None:
        query = query.where(col(ReturnSubmission.school_code) == school_code)
    query = query.order_by(col(ReturnSubmission.school_code), col(ReturnSubmission.version))
    return list((await uow.session.exec(query)).all())


async def school_returns(
    uow: UnitOfWork, notice: Notice, *, cluster_no: int | None = None
) -> list[SchoolReturn]:
    assert notice.return_due_at is not None
    versions: dict[str, list[ReturnSubmission]] = {}
    for row in await submissions_of(uow, notice.id):
        versions.setdefault(row.school_code, []).append(row)
    found = []
    for receipt in await expected_schools(uow, notice.id):
        if cluster_no is not None and receipt.cluster_no != cluster_no:
            continue
        assert receipt.school_code is not None
        filed = versions.get(receipt.school_code, [])
        status = domain.MISSING
        if filed:
            status = domain.LATE if filed[0].late else domain.ON_TIME
        found.append(
            SchoolReturn(
                school_code=receipt.school_code,
                name=receipt.name,
                cluster_no=receipt.cluster_no,
                commune_code=receipt.commune_code,
                level=receipt.level,
                status=status,
                version=filed[-1].version if filed else None,
                submitted_at=filed[0].submitted_at if filed else None,
                values=filed[-1].values if filed else {},
            )
        )
    return found


async def rates_report(
    *, uow: UnitOfWork, principal: Principal, notice_id: str, group_by: GroupBy, cluster_no: int | None
) -> RatesReport:
    notice = await requested_notice(uow, notice_id, principal=principal)
    scope = await report_scope(uow, principal, notice, cluster_no)
    schools = await school_returns(uow, notice, cluster_no=scope)
    assert notice.return_form_code
    assert notice.return_due_at
    return RatesReport(
        notice_id=notice.id,
        number=notice.number,
        form_code=notice.return_form_code,
        school_year=notice.return_school_year or "",
        due_at=notice.return_due_at,
        group_by=group_by,
        totals=domain.rate("all", schools),
        rates=domain.rates(schools, group_by),
        schools=schools,
    )


async def versions(
    *, uow: UnitOfWork, principal: Principal, notice_id: str, school_code: str
) -> list[SubmissionPublic]:
    notice = await requested_notice(uow, notice_id, principal=principal)
    if principal.role is Role.SCHOOL_PRINCIPAL:
        if principal.school_id != school_code:
            raise Forbidden("a principal reads their own school's return", field="school_code")
    elif not notices.manages(principal, notice) and principal.role not in CLUSTER_ROLES:
        raise Forbidden(
            "returns are read by their school, the notice's senders and the clusters", field="role"
        )
    rows = await submissions_of(uow, notice.id, school_code)
    if principal.role in CLUSTER_ROLES and not notices.manages(principal, notice):
        expected = {r.school_code: r.cluster_no for r in await expected_schools(uow, notice.id)}
        if expected.get(school_code) != principal.cluster_no:
            raise Forbidden(
                f"school {school_code} is not in cluster {principal.cluster_no}", field="school_code"
            )
    return [SubmissionPublic.model_validate(row, from_attributes=True) for row in rows]


async def missing_past_due(*, uow: UnitOfWork, now: datetime) -> dict[int | None, int]:
    """Schools asked for a return whose due date passed that have filed nothing, by cluster (metrics)."""
    filed = select(ReturnSubmission.id).where(
        col(ReturnSubmission.notice_id) == col(Receipt.notice_id),
        col(ReturnSubmission.school_code) == col(Receipt.school_code),
    )
    query = (
        select(Receipt.cluster_no, func.count())
        .join(Notice, col(Notice.id) == col(Receipt.notice_id))
        .where(
            col(Notice.status) == NoticeStatus.PUBLISHED,
            col(Notice.return_due_at).is_not(None),
            col(Notice.return_due_at) < now,
            col(Receipt.kind) == AddresseeKind.SCHOOL_PRINCIPAL,
            ~filed.exists(),
        )
        .group_by(col(Receipt.cluster_no))
    )
    return {cluster_no: count for cluster_no, count in (await uow.session.exec(query)).all()}
