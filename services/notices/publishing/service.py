"""Publishing a notice: in one unit of work the audience is checked again and resolved from the replica,
a receipt is expected of each addressee, the notice becomes immutable, and its event (with the audience,
the addressees' signed links and the attachments) goes to the outbox, with the return it requests.

The event must fit a Kafka message: the attachments' bytes ride along only while they are small (in all
``inline_attachments_max_bytes``) and the event stays under ``MAX_EVENT_BYTES``; otherwise emails carry
the download links alone.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notices.attachments.adapters import FileStore
from services.notices.audience import queries as audience
from services.notices.forms import queries as forms
from services.notices.links import domain as links
from services.notices.notices import domain as notices_domain
from services.notices.notices import queries as notices
from services.notices.notices.models import Notice, NoticeStatus
from services.notices.notices.queries import load_for_sending
from services.notices.receipts import service as receipts
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events.notices import (
    AddresseeKind,
    NoticeAttachmentV1,
    NoticeLinksV1,
    ReturnRequestedV1,
    ReturnRequestV1,
    notice_published,
)

MAX_EVENT_BYTES = 900_000
"""Below Kafka's default message limit (1 MiB), with room for the headers."""


@dataclass(frozen=True)
class PublishingConfig:
    secret: str
    public_base_url: str
    link_validity: timedelta
    inline_attachments_max_bytes: int
    store: FileStore

    @property
    def links_base_url(self) -> str:
        return f"{self.public_base_url.rstrip('/')}/links"


async def publish(
    *, uow: UnitOfWork, principal: Principal, notice_id: str, config: PublishingConfig, now: datetime
) -> Notice:
    notice = await load_for_sending(uow, principal, notice_id, lock=True)
    notices_domain.check_publishable(
        status=notice.status, number=notice.number, reply_by=notice.reply_by, now=now
    )
    spec = notice.audience_spec()
    await audience.check(uow, principal, spec)
    addressees = await audience.resolve(uow, spec)
    if not addressees:
        raise Unprocessable(
            "the audience reaches no active school and no commune in the registry", field="audience"
        )
    if notice.return_due_at is not None and notice.return_due_at <= now:
        raise Unprocessable(
            "the return's due date has passed: change it first", field="return_request.due_at"
        )
    expires_at = notice.reply_by or now + config.link_validity
    notice.status = NoticeStatus.PUBLISHED
    notice.published_at = notice.updated_at = now
    notice.published_by = principal.subject
    notice.links_expire_at = expires_at
    receipts.expect(uow, notice_id=notice.id, addressees=addressees, now=now)
    cluster_nos = sorted({a.cluster_no for a in addressees if a.cluster_no is not None})
    corrected = (
        await uow.session.get(Notice, notice.corrects_notice_id) if notice.corrects_notice_id else None
    )
    request = None
    if notice.return_form_code and notice.return_due_at:
        form = await forms.get_form(uow=uow, code=notice.return_form_code)
        request = ReturnRequestV1(
            form_code=form.code,
            form_name=form.name,
            school_year=notice.return_school_year or "",
            due_at=notice.return_due_at,
        )
    event = notice_published(
        notice_id=notice.id,
        number=notice.number,
        notice_date=notice.notice_date,
        issuing_unit=notice.issuing_unit,
        title=notice.subject,
        summary=notice.summary,
        reply_by=notice.reply_by,
        corrects_notice_id=notice.corrects_notice_id,
        corrects_number=corrected.number if corrected else None,
        attachments=await _attachments(uow, notice.id, expires_at, config, inline=True),
        audience=spec,
        cluster_nos=cluster_nos,
        addressees=[
            links.addressee_v1(
                config.secret, notice_id=notice.id, key=a.key, kind=a.kind, expires_at=expires_at
            )
            for a in addressees
        ],
        links=NoticeLinksV1(base_url=config.links_base_url, expires_at=expires_at),
        return_request=request,
        published_by=principal.subject,
        occurred_at=now,
    )
    if len(event.model_dump_json()) > MAX_EVENT_BYTES:
        event = event.model_copy(
            update={"attachments": await _attachments(uow, notice.id, expires_at, config, inline=False)}
        )
    notice.published_event_id = uow.record(event)
    if request is not None:
        uow.record(
            ReturnRequestedV1(
                notice_id=notice.id,
                number=notice.number,
                request=request,
                expected_school_codes=[
                    a.school_code
                    for a in addressees
                    if a.kind is AddresseeKind.SCHOOL_PRINCIPAL and a.school_code
                ],
                cluster_nos=cluster_nos,
                occurred_at=now,
            )
        )
    uow.session.add(notice)
    await uow.commit()
    return notice


async def _attachments(
    uow: UnitOfWork, notice_id: str, expires_at: datetime, config: PublishingConfig, *, inline: bool
) -> list[NoticeAttachmentV1]:
    rows = await notices.attachments_of(uow, notice_id)
    room = config.inline_attachments_max_bytes if inline else 0
    found = []
    for row in rows:
        signature = links.download_signature(
            config.secret, notice_id=notice_id, attachment_id=row.id, expires_at=expires_at
        )
        url = (
            f"{config.public_base_url.rstrip('/')}/files/{row.id}?notice={notice_id}"
            f"&exp={int(expires_at.timestamp())}&sig={signature}"
        )
        content = None
        if row.size_bytes <= room:
            content = base64.b64encode(await config.store.read(row.sha256)).decode()
            room -= row.size_bytes
        found.append(
            NoticeAttachmentV1(
                attachment_id=row.id,
                filename=row.filename,
                content_type=row.content_type,
                size_bytes=row.size_bytes,
                sha256=row.sha256,
                url=url,
                content_base64=content,
            )
        )
    return found
