"""Receipt commands: expect the addressees of a published notice, record what the notifications service
delivered, what was opened and acknowledged (in the app or by a signed link, once), and remind those who
have not acknowledged as the reply date nears (once each, whichever instance gets there first).

Acknowledging and reminding are conditional UPDATEs (``… WHERE acknowledged_at IS NULL``): of two
requests or two instances racing for one receipt, exactly one changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from services.notices.audience.domain import Addressee
from services.notices.links import domain as links
from services.notices.notices.models import Notice, NoticeStatus
from services.notices.receipts import domain
from services.notices.receipts.models import Receipt
from services.notices.receipts.queries import load_for_reading, own_receipts
from services.notices.replica.models import StaffReplica
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Forbidden, NotFound
from shared.events.notices import AddresseeKind, LinkAction, NoticeLinksV1, NoticeReminderSentV1

APP, LINK = "app", "link"


def expect(uow: UnitOfWork, *, notice_id: str, addressees: Sequence[Addressee], now: datetime) -> None:
    """One receipt per addressee, as the replica resolved the audience at publishing."""
    for addressee in addressees:
        uow.session.add(
            Receipt(
                notice_id=notice_id,
                addressee_key=addressee.key,
                kind=addressee.kind,
                name=addressee.name,
                school_code=addressee.school_code,
                commune_code=addressee.commune_code,
                cluster_no=addressee.cluster_no,
                level=addressee.level,
                principal_staff_code=addressee.principal_staff_code,
                expected_at=now,
            )
        )


async def record_delivered(
    *, uow: UnitOfWork, source_event_id: str, recipient_key: str, channel: str, delivered_at: datetime
) -> int:
    """A delivery of a notice's published event reached someone: their addressee's receipt says so.

    A principal is delivered to as ``staff:<code>``: the receipts kept the school's principal when the
    notice was published, and the replica knows a principal's school if the principal changed since.
    Returns how many receipts changed (0 for an event that is not a notice's, or a webhook).
    """
    notice_id = (
        await uow.session.exec(select(Notice.id).where(col(Notice.published_event_id) == source_event_id))
    ).first()
    if notice_id is None:
        return 0
    query = select(Receipt).where(col(Receipt.notice_id) == notice_id)
    kind, _, code = recipient_key.partition(":")
    if kind == "staff":
        staff = await uow.session.get(StaffReplica, code)
        school_key = f"school:{staff.school_code}" if staff and staff.school_code else None
        query = query.where(
            (col(Receipt.principal_staff_code) == code) | (col(Receipt.addressee_key) == school_key)
        )
    else:
        query = query.where(col(Receipt.addressee_key) == recipient_key)
    changed = 0
    for receipt in (await uow.session.exec(query)).all():
        if receipt.delivered_at is None or delivered_at < receipt.delivered_at:
            receipt.delivered_at = delivered_at
        if channel not in receipt.delivered_channels:
            receipt.delivered_channels = sorted([*receipt.delivered_channels, channel])
        uow.session.add(receipt)
        changed += 1
    return changed


async def read(*, uow: UnitOfWork, principal: Principal, notice_id: str, now: datetime) -> Notice:
    """Read a notice: its addressee's first reading marks the receipt opened."""
    notice = await load_for_reading(uow, principal, notice_id)
    if notice.status == NoticeStatus.PUBLISHED:
        opened = False
        for receipt in await own_receipts(uow, principal, notice_id):
            if receipt.opened_at is None:
                receipt.opened_at = now
                uow.session.add(receipt)
                opened = True
        if opened:
            await uow.commit()
    return notice


async def acknowledge(
    *, uow: UnitOfWork, principal: Principal, notice_id: str, office: AddresseeKind | None, now: datetime
) -> list[Receipt]:
    """ "Đã nhận": the caller's school or commune office acknowledges the notice (again: no change)."""
    notice = await uow.session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PUBLISHED:
        raise NotFound(f"notice {notice_id} does not exist", field="notice_id")
    keys = domain.own_addressee_keys(principal, office)
    if not keys:
        raise Forbidden(
            "principals and commune officers acknowledge the notices addressed to them", field="role"
        )
    own = await own_receipts(uow, principal, notice_id)
    if not own:  # not addressed to the caller at all: it does not exist for them, as for reading it
        raise NotFound(f"notice {notice_id} does not exist", field="notice_id")
    receipts = [receipt for receipt in own if receipt.addressee_key in keys]
    if not receipts:
        raise Forbidden(f"notice {notice.number} is not addressed to {', '.join(keys)}", field="notice_id")
    for receipt in receipts:
        await _acknowledge_once(uow, receipt.id, by=principal.subject, via=APP, now=now)
    await uow.commit()
    for receipt in receipts:
        await uow.session.refresh(receipt)
    return receipts


async def _acknowledge_once(
    uow: UnitOfWork, receipt_id: int | None, *, by: str, via: str, now: datetime
) -> bool:
    result = await uow.session.exec(
        update(Receipt)
        .where(col(Receipt.id) == receipt_id, col(Receipt.acknowledged_at).is_(None))
        .values(acknowledged_at=now, acknowledged_by=by, acknowledged_via=via)
    )
    if result.rowcount:
        await uow.session.exec(
            update(Receipt)
            .where(col(Receipt.id) == receipt_id, col(Receipt.opened_at).is_(None))
            .values(opened_at=now)
        )
    return bool(result.rowcount)


async def by_link(
    *,
    uow: UnitOfWork,
    secret: str,
    action: LinkAction,
    notice_id: str,
    addressee: str,
    exp: int,
    sig: str,
    now: datetime,
    apply: bool,
) -> tuple[Notice, Receipt]:
    """A signed link: checked (403 when forged, 410 when expired); opening marks the receipt opened;
    acknowledging (``apply``) does it once, and a link used before answers 410."""
    expected = links.addressee_signature(
        secret, notice_id=notice_id, addressee=addressee, action=action, expires_at=links.expiry(exp)
    )
    links.check(sig, expected, expires=exp, now=now)
    notice = await uow.session.get(Notice, notice_id)
    receipt = (
        await uow.session.exec(
            select(Receipt).where(
                col(Receipt.notice_id) == notice_id, col(Receipt.addressee_key) == addressee
            )
        )
    ).first()
    if notice is None or receipt is None:
        raise NotFound("this link names no notice of yours", field="notice")
    if action is LinkAction.OPEN:
        if receipt.opened_at is None:
            receipt.opened_at = now
            uow.session.add(receipt)
            await uow.commit()
        return notice, receipt
    if receipt.acknowledged_at is not None:
        raise _used(receipt)
    if apply:
        if not await _acknowledge_once(uow, receipt.id, by=addressee, via=LINK, now=now):
            await uow.rollback()
            await uow.session.refresh(receipt)
            raise _used(receipt)
        await uow.commit()
        await uow.session.refresh(receipt)
    return notice, receipt


def _used(receipt: Receipt) -> links.LinkGone:
    when = receipt.acknowledged_at.isoformat() if receipt.acknowledged_at else "before"
    how = "with this link" if receipt.acknowledged_via == LINK else "in the app"
    return links.LinkGone(
        f"this notice was already acknowledged {how} at {when}; the link works once",
        field="sig",
        rule="link_used",
    )


async def remind_due(
    *, uow: UnitOfWork, now: datetime, lead: timedelta, secret: str, base_url: str, limit: int = 200
) -> int:
    """Remind each addressee who has not acknowledged a notice whose reply date is within ``lead``; once.

    Returns how many reminders were recorded (a full batch: more may be waiting).
    """
    query = (
        select(Receipt, Notice)
        .join(Notice, col(Notice.id) == col(Receipt.notice_id))
        .where(
            col(Notice.status) == NoticeStatus.PUBLISHED,
            col(Notice.reply_by).is_not(None),
            col(Notice.reply_by) > now,
            col(Notice.reply_by) <= now + lead,
            col(Receipt.acknowledged_at).is_(None),
            col(Receipt.reminder_sent_at).is_(None),
        )
        .order_by(col(Receipt.id))
        .limit(limit)
    )
    due = list((await uow.session.exec(query)).all())
    sent = 0
    for receipt, notice in due:
        claimed = await uow.session.exec(
            update(Receipt)
            .where(col(Receipt.id) == receipt.id, col(Receipt.reminder_sent_at).is_(None))
            .values(reminder_sent_at=now)
        )
        if not claimed.rowcount:
            continue  # another instance reminded them first
        assert notice.reply_by is not None
        assert notice.links_expire_at is not None
        uow.record(
            NoticeReminderSentV1(
                notice_id=notice.id,
                number=notice.number,
                title=notice.subject,
                issuing_unit=notice.issuing_unit,
                reply_by=notice.reply_by,
                addressee=links.addressee_v1(
                    secret,
                    notice_id=notice.id,
                    key=receipt.addressee_key,
                    kind=AddresseeKind(receipt.kind),
                    expires_at=notice.links_expire_at,
                ),
                links=NoticeLinksV1(base_url=base_url, expires_at=notice.links_expire_at),
                cluster_nos=[receipt.cluster_no] if receipt.cluster_no is not None else [],
                occurred_at=now,
            )
        )
        sent += 1
    await uow.commit()
    return sent
