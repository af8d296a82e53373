"""HTTP routes of reading and answering a notice: the notices a caller may read, one notice (its
addressee's first reading is "opened"), its attachments, "đã nhận", the signed links of its emails, and
the receipt reports.

A signed link answers JSON, or a short HTML page to a browser (``Accept: text/html``); a link used twice
or expired answers 410 both ways.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.notices.attachments.api import file_response
from services.notices.links.domain import LINK_REFUSALS, LinkGone
from services.notices.notices import queries as notices
from services.notices.notices.api import NoticesSettingsDep
from services.notices.notices.models import Notice, NoticePublic, NoticeStatus, notice_public
from services.notices.receipts import queries, service
from services.notices.receipts.models import (
    AcknowledgeRequest,
    Receipt,
    ReceiptPublic,
    ReceiptReport,
    Unacknowledged,
)
from shared.auth import CurrentPrincipal
from shared.clock import utc_now
from shared.db import UnitOfWork
from shared.events.notices import LinkAction
from shared.web import UnitOfWorkDep
from shared.web.errors import error_body
from shared.web.pagination import Page, PageDep

router = APIRouter(tags=["receipts"])
MAX_EXPIRY = 253_402_300_799
"""The last second of 9999 (a link's ``exp`` beyond it is no time at all)."""
ReceiptState = Annotated[
    str | None, Query(pattern=r"^(expected|delivered|opened|acknowledged|unacknowledged)$")
]


async def _public(uow: UnitOfWork, notice: Notice) -> NoticePublic:
    return notice_public(notice, await notices.public_attachments_of(uow, notice.id))


@router.get("/notices", response_model=Page[NoticePublic])
async def list_notices(
    uow: UnitOfWorkDep, principal: CurrentPrincipal, page: PageDep, status: NoticeStatus | None = None
) -> object:
    """The notices the caller may read: addressed to them, reaching their cluster, or sent by them."""
    rows, total = await queries.list_notices(
        uow=uow, principal=principal, status=status, limit=page.limit, offset=page.offset
    )
    return page.page([await _public(uow, row) for row in rows], total)


@router.get("/notices/{notice_id}", response_model=NoticePublic)
async def read_notice(notice_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """One notice; an addressee's first reading marks their receipt opened."""
    notice = await service.read(uow=uow, principal=principal, notice_id=notice_id, now=utc_now())
    return await _public(uow, notice)


@router.get("/notices/{notice_id}/attachments/{attachment_id}", response_class=Response)
async def download_attachment(
    notice_id: str,
    attachment_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: NoticesSettingsDep,
) -> Response:
    """An attachment of a notice the caller may read."""
    await queries.load_for_reading(uow, principal, notice_id)
    found = await notices.attachment(uow, notice_id, attachment_id)
    return await file_response(found.sha256, found.filename, found.content_type, settings)


@router.post("/notices/{notice_id}/acknowledge", response_model=list[ReceiptPublic])
async def acknowledge(
    notice_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    data: AcknowledgeRequest | None = None,
) -> object:
    """ "Đã nhận": the principal or commune officer acknowledges a notice addressed to them."""
    receipts = await service.acknowledge(
        uow=uow,
        principal=principal,
        notice_id=notice_id,
        office=data.office if data else None,
        now=utc_now(),
    )
    return [queries.public(receipt) for receipt in receipts]


@router.get("/notices/{notice_id}/receipts", response_model=ReceiptReport)
async def receipt_report(
    notice_id: str,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    cluster_no: int | None = Query(default=None, ge=1, le=99),
    commune_code: str | None = Query(default=None, max_length=10),
    state: ReceiptState = None,
) -> object:
    """Who received, opened and acknowledged a notice, in all and per cluster and commune."""
    return await queries.report(
        uow=uow,
        principal=principal,
        notice_id=notice_id,
        cluster_no=cluster_no,
        commune_code=commune_code,
        state=state,
    )


@router.get("/receipts/unacknowledged", response_model=list[Unacknowledged])
async def unacknowledged(
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    older_than_days: int = Query(default=0, ge=0, le=3650),
    cluster_no: int | None = Query(default=None, ge=1, le=99),
    commune_code: str | None = Query(default=None, max_length=10),
) -> object:
    """Who has not acknowledged notices published at least ``older_than_days`` ago, oldest first."""
    return await queries.unacknowledged(
        uow=uow,
        principal=principal,
        older_than_days=older_than_days,
        cluster_no=cluster_no,
        commune_code=commune_code,
        now=utc_now(),
    )


# The signed links of the emails: no token, the signature is the credential.


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _page(title: str, text: str, *, status_code: int = 200, form_action: str | None = None) -> HTMLResponse:
    form = (
        f'<form method="post" action="{escape(form_action)}"><button type="submit">Đã nhận</button></form>'
        if form_action
        else ""
    )
    html = (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><p>{escape(text)}</p>{form}</body></html>"
    )
    return HTMLResponse(html, status_code=status_code)


_GONE_TEXT = {
    "link_used": 'Công văn này đã được xác nhận "đã nhận"; liên kết chỉ dùng được một lần.',
    "link_expired": "Liên kết đã hết hạn; xin đăng nhập hệ thống để xem công văn.",
}


def _gone(request: Request, gone: LinkGone) -> Response:
    if _wants_html(request):
        text = f"{_GONE_TEXT.get(gone.rule or '', '')} ({gone.message})"
        return _page("Liên kết không còn dùng được", text, status_code=410)
    return JSONResponse(error_body(gone), status_code=410)


def _receipt_json(notice: Notice, receipt: Receipt, **extra: object) -> JSONResponse:
    body = {
        "notice_id": notice.id,
        "number": notice.number,
        "subject": notice.subject,
        "receipt": queries.public(receipt).model_dump(mode="json"),
        **extra,
    }
    return JSONResponse(body)


async def _follow(
    request: Request,
    uow: UnitOfWork,
    settings: NoticesSettingsDep,
    action: LinkAction,
    *,
    notice: str,
    to: str,
    exp: int,
    sig: str,
    apply: bool,
) -> tuple[Notice, Receipt] | Response:
    try:
        return await service.by_link(
            uow=uow,
            secret=settings.link_secret.get_secret_value(),
            action=action,
            notice_id=notice,
            addressee=to,
            exp=exp,
            sig=sig,
            now=utc_now(),
            apply=apply,
        )
    except LinkGone as gone:
        return _gone(request, gone)


Notice_ = Annotated[str, Query(max_length=36)]
To = Annotated[str, Query(max_length=80)]
Exp = Annotated[int, Query(ge=0, le=MAX_EXPIRY)]
Sig = Annotated[str, Query(max_length=64)]


@router.get("/links/open", response_class=Response, responses=LINK_REFUSALS)
async def open_link(
    request: Request,
    uow: UnitOfWorkDep,
    settings: NoticesSettingsDep,
    notice: Notice_,
    to: To,
    exp: Exp,
    sig: Sig,
) -> Response:
    """The notice, through the link in its email (marks the addressee's receipt opened)."""
    found = await _follow(
        request, uow, settings, LinkAction.OPEN, notice=notice, to=to, exp=exp, sig=sig, apply=False
    )
    if isinstance(found, Response):
        return found
    opened, receipt = found
    if _wants_html(request):
        return _page(f"{opened.number}: {opened.subject}", opened.body)
    return _receipt_json(opened, receipt, body=opened.body)


@router.get("/links/acknowledge", response_class=Response, responses=LINK_REFUSALS)
async def acknowledge_link_page(
    request: Request,
    uow: UnitOfWorkDep,
    settings: NoticesSettingsDep,
    notice: Notice_,
    to: To,
    exp: Exp,
    sig: Sig,
) -> Response:
    """What the acknowledge link shows before it is used: the notice and a button (mail scanners that
    follow links do not acknowledge anything). Used or expired: 410."""
    found = await _follow(
        request, uow, settings, LinkAction.ACKNOWLEDGE, notice=notice, to=to, exp=exp, sig=sig, apply=False
    )
    if isinstance(found, Response):
        return found
    shown, receipt = found
    if _wants_html(request):
        return _page(f"Xác nhận đã nhận: {shown.number}", shown.subject, form_action=str(request.url))
    return _receipt_json(shown, receipt, confirm="POST this link to acknowledge")


@router.post("/links/acknowledge", response_class=Response, responses=LINK_REFUSALS)
async def acknowledge_link(
    request: Request,
    uow: UnitOfWorkDep,
    settings: NoticesSettingsDep,
    notice: Notice_,
    to: To,
    exp: Exp,
    sig: Sig,
) -> Response:
    """ "Đã nhận" through the signed link of the email: once; a second use answers 410."""
    found = await _follow(
        request, uow, settings, LinkAction.ACKNOWLEDGE, notice=notice, to=to, exp=exp, sig=sig, apply=True
    )
    if isinstance(found, Response):
        return found
    acknowledged, receipt = found
    if _wants_html(request):
        return _page("Đã xác nhận", f"{acknowledged.number}: {acknowledged.subject}")
    return _receipt_json(acknowledged, receipt)
