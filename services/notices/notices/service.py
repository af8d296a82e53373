"""Notice commands: write a draft and edit it while it is one (publishing is ``publishing.service``)."""

from __future__ import annotations

from typing import Any

from services.notices.audience import queries as audience
from services.notices.forms import queries as forms
from services.notices.notices import domain
from services.notices.notices.models import Notice, NoticeCreate, NoticeUpdate, ReturnRequestCreate
from services.notices.notices.queries import load_for_sending
from services.notices.tables import new_id
from shared.auth import Principal, Role
from shared.clock import utc_now
from shared.db import UnitOfWork


async def create_draft(*, uow: UnitOfWork, principal: Principal, data: NoticeCreate) -> Notice:
    now = utc_now()
    await audience.check(uow, principal, data.audience)
    request = data.return_request
    domain.check_dates(reply_by=data.reply_by, return_due_at=request.due_at if request else None, now=now)
    if request is not None:
        await forms.get_form(uow=uow, code=request.form_code, field="return_request.form_code")
    if data.corrects_notice_id is not None:
        corrected = await uow.session.get(Notice, data.corrects_notice_id)
        domain.check_correction(
            corrected_status=corrected.status if corrected else None,
            corrected_number=corrected.number if corrected else None,
        )
    notice = Notice(
        id=new_id(),
        number=data.number,
        notice_date=data.notice_date,
        issuing_unit=data.issuing_unit,
        subject=data.subject,
        summary=data.summary or domain.summary_of(data.body),
        body=data.body,
        audience=data.audience.model_dump(mode="json"),
        reply_by=data.reply_by,
        corrects_notice_id=data.corrects_notice_id,
        created_by=principal.subject,
        sender_cluster_no=principal.cluster_no if principal.role is Role.CLUSTER_LEADER else None,
        created_at=now,
        updated_at=now,
        **_return_columns(request),
    )
    uow.session.add(notice)
    await uow.commit()
    return notice


async def update_draft(
    *, uow: UnitOfWork, principal: Principal, notice_id: str, data: NoticeUpdate
) -> Notice:
    notice = await load_for_sending(uow, principal, notice_id, lock=True)
    domain.check_editable(notice.status, notice.number)
    changes = data.model_dump(exclude_unset=True)
    now = utc_now()
    if "audience" in changes:
        assert data.audience is not None
        await audience.check(uow, principal, data.audience)
        notice.audience = data.audience.model_dump(mode="json")
    if "return_request" in changes:
        request = data.return_request
        if request is not None:
            await forms.get_form(uow=uow, code=request.form_code, field="return_request.form_code")
        for name, value in _return_columns(request).items():
            setattr(notice, name, value)
    for name in ("number", "notice_date", "issuing_unit", "subject", "body", "reply_by"):
        if name in changes:
            setattr(notice, name, changes[name])
    if "summary" in changes or "body" in changes:
        notice.summary = changes.get("summary") or domain.summary_of(notice.body)
    domain.check_dates(
        reply_by=notice.reply_by if "reply_by" in changes else None,
        return_due_at=notice.return_due_at if "return_request" in changes else None,
        now=now,
    )
    notice.updated_at = now
    uow.session.add(notice)
    await uow.commit()
    return notice


def _return_columns(request: ReturnRequestCreate | None) -> dict[str, Any]:
    return {
        "return_form_code": request.form_code if request else None,
        "return_school_year": request.school_year if request else None,
        "return_due_at": request.due_at if request else None,
    }
