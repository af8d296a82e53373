"""Return commands: a school files its return (a retried request with the same ``Idempotency-Key``
counts once), corrects it until the due date (every version kept), and past the due date the schools
still missing are reported per cluster, once.

Every version of a return whose form counts school facts also publishes the school's figures for the
school year, which the registry keeps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.notices.forms import domain as forms_domain
from services.notices.forms import queries as forms
from services.notices.notices.models import Notice, NoticeStatus
from services.notices.receipts.models import Receipt
from services.notices.returns import domain
from services.notices.returns.models import ReturnSubmission, SubmissionPublic
from services.notices.returns.queries import requested_notice, school_returns
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden
from shared.events.notices import (
    AddresseeKind,
    MissingSchoolV1,
    ReturnCorrectedV1,
    ReturnOverdueV1,
    ReturnSubmittedV1,
    SchoolFiguresReportedV1,
    addressee_key,
)


async def submit(
    *,
    uow: UnitOfWork,
    principal: Principal,
    notice_id: str,
    values: dict[str, Any],
    idempotency_key: str | None,
    now: datetime,
) -> tuple[SubmissionPublic, bool]:
    """File or correct the caller's school's return; returns it and whether this request created it."""
    notice = await requested_notice(uow, notice_id, principal=principal)
    school = await _addressed_school(uow, principal, notice)
    if idempotency_key:
        earlier = await _by_key(uow, notice.id, school.school_code or "", idempotency_key)
        if earlier is not None:
            return SubmissionPublic.model_validate(earlier, from_attributes=True), False
    assert notice.return_form_code
    assert notice.return_due_at
    form = await forms.get_form(uow=uow, code=notice.return_form_code)
    definition = form.spec()
    checked = forms_domain.check_values(definition, values)
    previous = (
        await uow.session.exec(
            select(ReturnSubmission)
            .where(
                col(ReturnSubmission.notice_id) == notice.id,
                col(ReturnSubmission.school_code) == school.school_code,
            )
            .order_by(col(ReturnSubmission.version).desc())
            .limit(1)
        )
    ).first()
    if previous is not None:
        domain.check_correctable(now=now, due_at=notice.return_due_at)
    assert school.school_code is not None
    row = ReturnSubmission(
        notice_id=notice.id,
        school_code=school.school_code,
        version=previous.version + 1 if previous else 1,
        values=dict(checked),
        late=domain.is_late(submitted_at=now, due_at=notice.return_due_at),
        submitted_by=principal.subject,
        submitted_at=now,
        idempotency_key=idempotency_key,
    )
    uow.session.add(row)
    common = {
        "notice_id": notice.id,
        "form_code": form.code,
        "school_code": school.school_code,
        "cluster_no": school.cluster_no,
        "commune_code": school.commune_code,
        "values": checked,
        "submitted_by": principal.subject,
        "occurred_at": now,
    }
    if previous is None:
        uow.record(ReturnSubmittedV1(**common, version=1, late=row.late))
    else:
        uow.record(ReturnCorrectedV1(**common, version=row.version, supersedes_version=previous.version))
    facts = forms_domain.school_facts(definition, checked)
    if facts and notice.return_school_year:
        uow.record(
            SchoolFiguresReportedV1(
                school_code=school.school_code,
                school_year=notice.return_school_year,
                pupils=facts.get(forms_domain.SchoolFact.PUPILS),
                classes=facts.get(forms_domain.SchoolFact.CLASSES),
                teachers=facts.get(forms_domain.SchoolFact.TEACHERS),
                notice_id=notice.id,
                form_code=form.code,
                version=row.version,
                reported_at=now,
            )
        )
    try:
        await uow.commit()
    except IntegrityError as exc:
        # The same school filed at the same moment: the other request's version stands.
        await uow.rollback()
        if idempotency_key:
            earlier = await _by_key(uow, notice.id, school.school_code, idempotency_key)
            if earlier is not None:
                return SubmissionPublic.model_validate(earlier, from_attributes=True), False
        raise Conflict(
            "another submission of this school's return arrived at the same moment: read it and retry",
            field="values",
        ) from exc
    return SubmissionPublic.model_validate(row, from_attributes=True), True


async def _addressed_school(uow: UnitOfWork, principal: Principal, notice: Notice) -> Receipt:
    if principal.role is not Role.SCHOOL_PRINCIPAL or not principal.school_id:
        raise Forbidden("returns are filed by the principals of the schools asked", field="role")
    key = addressee_key(AddresseeKind.SCHOOL_PRINCIPAL, principal.school_id)
    receipt = (
        await uow.session.exec(
            select(Receipt).where(col(Receipt.notice_id) == notice.id, col(Receipt.addressee_key) == key)
        )
    ).first()
    if receipt is None:
        raise Forbidden(
            f"school {principal.school_id} is not in the audience of notice {notice.number}",
            field="school_code",
        )
    return receipt


async def _by_key(uow: UnitOfWork, notice_id: str, school_code: str, key: str) -> ReturnSubmission | None:
    query = select(ReturnSubmission).where(
        col(ReturnSubmission.notice_id) == notice_id,
        col(ReturnSubmission.school_code) == school_code,
        col(ReturnSubmission.idempotency_key) == key,
    )
    return (await uow.session.exec(query)).first()


async def report_overdue(*, uow: UnitOfWork, now: datetime, limit: int = 20) -> int:
    """For each return whose due date passed, the missing schools per cluster, once (claimed by a
    conditional UPDATE, so of two instances one reports). Returns how many returns were reported."""
    due = (
        await uow.session.exec(
            select(Notice.id)
            .where(
                col(Notice.status) == NoticeStatus.PUBLISHED,
                col(Notice.return_due_at).is_not(None),
                col(Notice.return_due_at) <= now,
                col(Notice.return_overdue_at).is_(None),
            )
            .order_by(col(Notice.return_due_at))
            .limit(limit)
        )
    ).all()
    reported = 0
    for notice_id in due:
        claimed = await uow.session.exec(
            update(Notice)
            .where(col(Notice.id) == notice_id, col(Notice.return_overdue_at).is_(None))
            .values(return_overdue_at=now)
        )
        if not claimed.rowcount:
            continue
        notice = await requested_notice(uow, notice_id)
        form = await forms.get_form(uow=uow, code=notice.return_form_code or "")
        schools = await school_returns(uow, notice)
        expected: dict[int | None, int] = {}
        for school in schools:
            expected[school.cluster_no] = expected.get(school.cluster_no, 0) + 1
        assert notice.return_due_at is not None
        for cluster_no, missing in sorted(
            domain.missing_by_cluster(schools).items(), key=lambda item: (item[0] is None, item[0] or 0)
        ):
            uow.record(
                ReturnOverdueV1(
                    notice_id=notice.id,
                    number=notice.number,
                    title=notice.subject,
                    form_name=form.name,
                    due_at=notice.return_due_at,
                    cluster_no=cluster_no,
                    cluster_nos=[cluster_no] if cluster_no is not None else [],
                    missing=[
                        MissingSchoolV1(school_code=s.school_code, name=s.name, commune_code=s.commune_code)
                        for s in missing
                    ],
                    expected_count=expected[cluster_no],
                    occurred_at=now,
                )
            )
        reported += 1
    await uow.commit()
    return reported
