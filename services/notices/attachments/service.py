"""Attachment commands: attach a file to a draft (type and size checked, stored by its SHA-256)."""

from __future__ import annotations

import hashlib

from services.notices.attachments import domain
from services.notices.attachments.adapters import FileStore
from services.notices.notices import domain as notices_domain
from services.notices.notices.models import NoticeAttachment
from services.notices.notices.queries import load_for_sending
from services.notices.tables import new_id
from shared.auth import Principal
from shared.clock import utc_now
from shared.db import UnitOfWork


async def attach(
    *,
    uow: UnitOfWork,
    principal: Principal,
    notice_id: str,
    filename: str,
    content: bytes,
    store: FileStore,
    max_bytes: int,
) -> NoticeAttachment:
    notice = await load_for_sending(uow, principal, notice_id, lock=True)
    notices_domain.check_editable(notice.status, notice.number)
    domain.check_size(len(content), max_bytes)
    name = domain.safe_filename(filename)
    kind = domain.kind_of(name, content)
    sha256 = hashlib.sha256(content).hexdigest()
    await store.put(sha256, content)  # before the row: a row never names a file that is not there
    attachment = NoticeAttachment(
        id=new_id(),
        notice_id=notice.id,
        filename=name,
        content_type=kind.value,
        size_bytes=len(content),
        sha256=sha256,
        uploaded_by=principal.subject,
        created_at=utc_now(),
    )
    uow.session.add(attachment)
    notice.updated_at = attachment.created_at
    uow.session.add(notice)
    await uow.commit()
    return attachment
