"""HTTP routes of drafts: write a notice and edit it until it is published.

Reading a notice (and the receipt that reading makes) is in ``receipts.api``; publishing in
``publishing.api``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.notices.notices import queries, service
from services.notices.notices.models import NoticeCreate, NoticePublic, NoticeUpdate, notice_public
from services.notices.settings import NoticesSettings
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep


async def notices_settings(request: Request) -> NoticesSettings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, NoticesSettings)
    return settings


NoticesSettingsDep = Annotated[NoticesSettings, Depends(notices_settings)]

router = APIRouter(tags=["notices"])


@router.post("/notices", response_model=NoticePublic, status_code=201)
async def create_notice(data: NoticeCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Write a notice as a draft: number, date, issuing unit, subject, body, audience, reply date."""
    notice = await service.create_draft(uow=uow, principal=principal, data=data)
    return notice_public(notice, [])


@router.patch("/notices/{notice_id}", response_model=NoticePublic)
async def update_notice(
    notice_id: str, data: NoticeUpdate, uow: UnitOfWorkDep, principal: CurrentPrincipal
) -> object:
    """Edit a draft; a published notice answers 409 (publish a correction referring to it instead)."""
    notice = await service.update_draft(uow=uow, principal=principal, notice_id=notice_id, data=data)
    return notice_public(notice, await queries.public_attachments_of(uow, notice.id))
