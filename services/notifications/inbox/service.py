"""Use cases of the inbox: a person's items, their unread count, marking read, and adding a delivered one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select

from services.notifications.inbox.models import InboxItem
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound


async def list_items(
    *, uow: UnitOfWork, recipient_key: str, unread_only: bool, limit: int, offset: int
) -> tuple[Sequence[InboxItem], int]:
    query = select(InboxItem).where(col(InboxItem.recipient_key) == recipient_key)
    if unread_only:
        query = query.where(col(InboxItem.read_at).is_(None))
    return await fetch_page(uow.session, query.order_by(col(InboxItem.id).desc()), limit=limit, offset=offset)


async def unread_count(*, uow: UnitOfWork, recipient_key: str) -> int:
    query = select(func.count()).where(
        col(InboxItem.recipient_key) == recipient_key, col(InboxItem.read_at).is_(None)
    )
    return int((await uow.session.exec(query)).one())


async def mark_read(*, uow: UnitOfWork, recipient_key: str, item_id: int, now: datetime) -> InboxItem:
    item = await uow.session.get(InboxItem, item_id)
    if item is None or item.recipient_key != recipient_key:  # someone else's item is not there for you
        raise NotFound(f"inbox item {item_id} does not exist", field="item_id")
    if item.read_at is None:
        item.read_at = now
        uow.session.add(item)
        await uow.commit()
        await uow.session.refresh(item)
    return item


async def mark_all_read(*, uow: UnitOfWork, recipient_key: str, now: datetime) -> None:
    await uow.session.exec(
        update(InboxItem)
        .where(col(InboxItem.recipient_key) == recipient_key, col(InboxItem.read_at).is_(None))
        .values(read_at=now)
    )
    await uow.commit()


def add_item(
    *,
    uow: UnitOfWork,
    delivery_id: str,
    recipient_key: str,
    source_event_id: str,
    event_type: str,
    title: str,
    body: str,
    now: datetime,
) -> None:
    """An in-app delivery was delivered: it shows in the person's inbox (in the caller's unit of work)."""
    uow.session.add(
        InboxItem(
            delivery_id=delivery_id,
            recipient_key=recipient_key,
            source_event_id=source_event_id,
            event_type=event_type,
            title=title,
            body=body,
            created_at=now,
        )
    )
