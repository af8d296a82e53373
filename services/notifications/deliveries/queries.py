"""Reads of the delivery queue: where one source event's deliveries stand, a filtered list, one delivery
with its attempt log, and the retry backlog the metrics show."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select

from services.notifications.deliveries.domain import DeliveryState
from services.notifications.deliveries.models import (
    AttemptPublic,
    Delivery,
    DeliveryAttempt,
    DeliveryDetail,
    DeliveryPublic,
    EventStatus,
    SourceEvent,
)
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound
from shared.events.notifications import DeliveryChannel


async def event_status(*, uow: UnitOfWork, event_id: str) -> EventStatus:
    source = await uow.session.get(SourceEvent, event_id)
    if source is None:
        raise NotFound(f"no deliveries for event {event_id}", field="event_id")
    query = (
        select(Delivery)
        .where(col(Delivery.source_event_id) == event_id)
        .order_by(col(Delivery.recipient_key), col(Delivery.channel))
    )
    rows = (await uow.session.exec(query)).all()
    by_state: dict[str, int] = {}
    for row in rows:
        by_state[row.state] = by_state.get(row.state, 0) + 1
    return EventStatus(
        event_id=event_id,
        event_type=source.event_type,
        occurred_at=source.occurred_at,
        vacancies=source.vacancies,
        unreached=source.unreached,
        by_state=by_state,
        deliveries=[DeliveryPublic.model_validate(row, from_attributes=True) for row in rows],
    )


async def list_deliveries(
    *,
    uow: UnitOfWork,
    limit: int,
    offset: int,
    recipient_key: str | None = None,
    source_event_id: str | None = None,
    subject: str | None = None,
    state: DeliveryState | None = None,
    channel: DeliveryChannel | None = None,
) -> tuple[Sequence[Delivery], int]:
    query = select(Delivery).order_by(col(Delivery.created_at).desc(), col(Delivery.id))
    if recipient_key:
        query = query.where(col(Delivery.recipient_key) == recipient_key)
    if source_event_id:
        query = query.where(col(Delivery.source_event_id) == source_event_id)
    if subject:
        events = select(SourceEvent.event_id).where(col(SourceEvent.subject) == subject)
        query = query.where(col(Delivery.source_event_id).in_(events))
    if state:
        query = query.where(col(Delivery.state) == state)
    if channel:
        query = query.where(col(Delivery.channel) == channel)
    return await fetch_page(uow.session, query, limit=limit, offset=offset)


async def delivery_detail(*, uow: UnitOfWork, delivery_id: str) -> tuple[Delivery, DeliveryDetail]:
    row = await uow.session.get(Delivery, delivery_id)
    if row is None:
        raise NotFound(f"delivery {delivery_id} does not exist", field="delivery_id")
    query = (
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.delivery_id) == delivery_id)
        .order_by(col(DeliveryAttempt.number))
    )
    attempts = [
        AttemptPublic.model_validate(a, from_attributes=True) for a in (await uow.session.exec(query)).all()
    ]
    detail = DeliveryDetail(
        **DeliveryPublic.model_validate(row, from_attributes=True).model_dump(), attempt_log=attempts
    )
    return row, detail


async def retry_backlog(*, uow: UnitOfWork) -> dict[str, int]:
    query = (
        select(Delivery.channel, func.count())
        .where(col(Delivery.state) == DeliveryState.RETRYING)
        .group_by(col(Delivery.channel))
    )
    return {str(channel): count for channel, count in (await uow.session.exec(query)).all()}
