"""HTTP route of publishing a notice."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from services.notices.attachments.adapters import FileStore
from services.notices.notices import queries as notices
from services.notices.notices.api import NoticesSettingsDep
from services.notices.notices.models import NoticePublic, notice_public
from services.notices.publishing import service
from services.notices.publishing.service import PublishingConfig
from shared.auth import CurrentPrincipal
from shared.clock import utc_now
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["notices"])


@router.post("/notices/{notice_id}/publish", response_model=NoticePublic)
async def publish_notice(
    notice_id: str, uow: UnitOfWorkDep, principal: CurrentPrincipal, settings: NoticesSettingsDep
) -> object:
    """Publish a draft to its audience: receipts are expected of every addressee and the notice is sent."""
    config = PublishingConfig(
        secret=settings.link_secret.get_secret_value(),
        public_base_url=settings.public_base_url,
        link_validity=timedelta(days=settings.link_validity_days),
        inline_attachments_max_bytes=settings.inline_attachments_max_bytes,
        store=FileStore(settings.files_dir),
    )
    notice = await service.publish(
        uow=uow, principal=principal, notice_id=notice_id, config=config, now=utc_now()
    )
    return notice_public(notice, await notices.public_attachments_of(uow, notice.id))
