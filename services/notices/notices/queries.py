"""Reads of notices for their senders: a draft or a sent notice, if the caller may manage it.

The Department manages every notice; a cluster leader those written for the cluster. What addressees
read is in ``receipts.queries``, which knows whom a notice reached.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.notices.notices.models import AttachmentPublic, Notice, NoticeAttachment
from shared.auth import Principal, Role
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound


def manages(principal: Principal, notice: Notice) -> bool:
    if principal.is_department_staff:
        return True
    return principal.role is Role.CLUSTER_LEADER and notice.sender_cluster_no == principal.cluster_no


async def get(uow: UnitOfWork, notice_id: str, *, lock: bool = False) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if lock:
        query = query.with_for_update()
    notice = (await uow.session.exec(query)).first()
    if notice is None:
        raise NotFound(f"notice {notice_id} does not exist", field="notice_id")
    return notice


async def load_for_sending(
    uow: UnitOfWork, principal: Principal, notice_id: str, *, lock: bool = False
) -> Notice:
    """The notice, for its sender; someone else's draft does not exist, their sent notice is a 403."""
    notice = await get(uow, notice_id, lock=lock)
    if not manages(principal, notice):
        if notice.status == "draft":
            raise NotFound(f"notice {notice_id} does not exist", field="notice_id")
        raise Forbidden("only the notice's sender manages it", field="notice_id")
    return notice


# A notice's attachments


async def attachments_of(uow: UnitOfWork, notice_id: str) -> Sequence[NoticeAttachment]:
    query = (
        select(NoticeAttachment)
        .where(col(NoticeAttachment.notice_id) == notice_id)
        .order_by(col(NoticeAttachment.created_at), col(NoticeAttachment.id))
    )
    return (await uow.session.exec(query)).all()


async def public_attachments_of(uow: UnitOfWork, notice_id: str) -> list[AttachmentPublic]:
    return [
        AttachmentPublic.model_validate(row, from_attributes=True)
        for row in await attachments_of(uow, notice_id)
    ]


async def attachment(uow: UnitOfWork, notice_id: str, attachment_id: str) -> NoticeAttachment:
    found = await uow.session.get(NoticeAttachment, attachment_id)
    if found is None or found.notice_id != notice_id:
        raise NotFound(f"notice {notice_id} has no attachment {attachment_id}", field="attachment_id")
    return found
