"""Use cases of the delivery queue: claim what is due, record what came of it, and report status.

Claiming leases rows (``lease_owner``/``leased_until``) with a conditional UPDATE, so several instances
can work one queue: a row is sent by the instance whose UPDATE matched it. The instance renews its lease
while the sends are under way; a lease that outlives its instance (a crash mid-send) expires and the row
is tried again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select

from services.notifications.channels.base import ResultKind, SendResult
from services.notifications.deliveries.domain import BackoffPolicy, DeliveryState, after_attempt
from services.notifications.deliveries.messages import TemplateKey, Work
from services.notifications.deliveries.models import (
    AttemptPublic,
    Delivery,
    DeliveryAttempt,
    DeliveryDetail,
    DeliveryPublic,
    EventStatus,
    SourceEvent,
)
from services.notifications.inbox.models import InboxItem
from services.notifications.templates.models import Template
from services.notifications.webhooks.models import Subscription
from shared.db import UnitOfWork
from shared.db.queries import fetch_page
from shared.errors import NotFound
from shared.events.notifications import DeliveryChannel, DeliveryDeliveredV1, DeliveryFailedV1

WAITING = (DeliveryState.PENDING, DeliveryState.RETRYING)


@dataclass(frozen=True)
class Claimed:
    rows: list[Delivery]
    sources: dict[str, SourceEvent]
    templates: dict[TemplateKey, Template]
    subscriptions: dict[str, Subscription]


async def claim_due(
    *, uow: UnitOfWork, now: datetime, limit: int, lease_s: float, owner: str
) -> Claimed | None:
    free = or_(col(Delivery.leased_until).is_(None), col(Delivery.leased_until) < now)
    due = (
        select(Delivery.id)
        .where(col(Delivery.state).in_(WAITING), col(Delivery.next_attempt_at) <= now, free)
        .order_by(col(Delivery.next_attempt_at))
        .limit(limit)
    )
    ids = list((await uow.session.exec(due)).all())
    if not ids:
        return None
    await uow.session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(ids), col(Delivery.state).in_(WAITING), free)
        .values(lease_owner=owner, leased_until=now + timedelta(seconds=lease_s))
    )
    await uow.commit()
    rows = list((await uow.session.exec(select(Delivery).where(col(Delivery.lease_owner) == owner))).all())
    if not rows:
        return None
    event_ids = {row.source_event_id for row in rows}
    sources = (
        await uow.session.exec(select(SourceEvent).where(col(SourceEvent.event_id).in_(event_ids)))
    ).all()
    templates = (await uow.session.exec(select(Template))).all()
    subscription_ids = [
        r.recipient_key.removeprefix("webhook:") for r in rows if r.channel == DeliveryChannel.WEBHOOK
    ]
    subscriptions: Sequence[Subscription] = []
    if subscription_ids:
        query = select(Subscription).where(col(Subscription.id).in_(subscription_ids))
        subscriptions = (await uow.session.exec(query)).all()
    uow.session.expunge_all()  # detached but loaded: they outlive the session's closing rollback
    return Claimed(
        rows,
        {source.event_id: source for source in sources},
        {(t.event_type, str(t.channel), str(t.language)): t for t in templates},
        {subscription.id: subscription for subscription in subscriptions},
    )


async def renew_leases(*, uow: UnitOfWork, owner: str, until: datetime) -> None:
    """Keep the owner's rows leased while their sends are under way: a slow send must not be taken over
    (and sent again) by another instance while its sender is alive; a dead sender stops renewing."""
    await uow.session.exec(
        update(Delivery)
        .where(col(Delivery.lease_owner) == owner, col(Delivery.state).in_(WAITING))
        .values(leased_until=until)
    )
    await uow.commit()


@dataclass(frozen=True)
class Recorded:
    """What an outcome did, for the metrics (counted only once the transaction committed)."""

    channel: str
    outcome: str
    """delivered, failed or retried"""
    latency_s: float | None = None


async def record_outcomes(
    *,
    uow: UnitOfWork,
    outcomes: Sequence[tuple[Work, SendResult, datetime, datetime]],
    owner: str,
    policy: BackoffPolicy,
    uniform: Callable[[float, float], float],
) -> list[Recorded]:
    """Log every attempt, move each row on, write inbox items, disable gone subscriptions, publish ends."""
    recorded: list[Recorded] = []
    occurred = await _occurred_at(uow, {row.source_event_id for work, *_ in outcomes for row in work.rows})
    ids = [row.id for work, *_ in outcomes for row in work.rows]
    current = {
        row.id: row
        for row in (await uow.session.exec(select(Delivery).where(col(Delivery.id).in_(ids)))).all()
    }
    for work, result, started_at, finished_at in outcomes:
        for claimed_row in work.rows:
            row = current.get(claimed_row.id)
            if row is None or row.lease_owner != owner or row.state not in WAITING:
                continue  # the lease ran out and another instance took it over: its record wins
            row.attempts += 1
            uow.session.add(
                DeliveryAttempt(
                    delivery_id=row.id,
                    number=row.attempts,
                    started_at=started_at,
                    finished_at=finished_at,
                    outcome=result.kind.value,
                    status_code=result.status_code,
                    error=_error_text(result, work),
                )
            )
            step = after_attempt(
                result, attempts_done=row.attempts, now=finished_at, policy=policy, uniform=uniform
            )
            row.state, row.lease_owner, row.leased_until = step.state, None, None
            row.used_fallback_text = row.used_fallback_text or work.used_fallback_text
            row.last_error = _error_text(result, work)
            if step.state is DeliveryState.RETRYING:
                assert step.next_attempt_at is not None
                row.next_attempt_at = step.next_attempt_at
                recorded.append(Recorded(row.channel, "retried"))
            elif step.state is DeliveryState.DELIVERED:
                row.finished_at = finished_at
                latency = max((finished_at - occurred[row.source_event_id]).total_seconds(), 0.0)
                recorded.append(Recorded(row.channel, "delivered", latency))
                if row.channel == DeliveryChannel.IN_APP:
                    _add_inbox_item(uow, row, work, finished_at)
                uow.record(_delivered(row, finished_at, latency))
            else:
                row.finished_at = finished_at
                recorded.append(Recorded(row.channel, "failed"))
                uow.record(_failed(row, finished_at, result.error or "failed"))
            if result.gone and row.channel == DeliveryChannel.WEBHOOK:
                await _disable(uow, row.recipient_key.removeprefix("webhook:"), finished_at)
            uow.session.add(row)
    await uow.commit()
    return recorded


async def _occurred_at(uow: UnitOfWork, event_ids: set[str]) -> dict[str, datetime]:
    query = select(SourceEvent.event_id, SourceEvent.occurred_at).where(
        col(SourceEvent.event_id).in_(event_ids)
    )
    return dict((await uow.session.exec(query)).all())


def _error_text(result: SendResult, work: Work) -> str | None:
    parts = [
        part for part in (result.error, work.template_error and f"template: {work.template_error}") if part
    ]
    return "; ".join(parts)[:2000] or None


def _add_inbox_item(uow: UnitOfWork, row: Delivery, work: Work, now: datetime) -> None:
    uow.session.add(
        InboxItem(
            delivery_id=row.id,
            recipient_key=row.recipient_key,
            source_event_id=row.source_event_id,
            event_type=row.event_type,
            title=work.message.subject,
            body=work.message.body,
            created_at=now,
        )
    )


async def _disable(uow: UnitOfWork, subscription_id: str, now: datetime) -> None:
    subscription = await uow.session.get(Subscription, subscription_id)
    if subscription is not None and subscription.active:
        subscription.active = False
        subscription.disabled_reason = f"the receiver answered 410 Gone at {now.isoformat()}"
        uow.session.add(subscription)


def _outcome_fields(row: Delivery) -> dict[str, Any]:
    return {
        "source_event_id": row.source_event_id,
        "source_event_type": row.event_type,
        "delivery_id": row.id,
        "recipient_key": row.recipient_key,
        "channel": row.channel,
        "attempts": row.attempts,
        "used_fallback_text": row.used_fallback_text,
    }


def _delivered(row: Delivery, now: datetime, latency_s: float) -> DeliveryDeliveredV1:
    return DeliveryDeliveredV1(**_outcome_fields(row), delivered_at=now, latency_s=latency_s)


def _failed(row: Delivery, now: datetime, reason: str) -> DeliveryFailedV1:
    return DeliveryFailedV1(**_outcome_fields(row), failed_at=now, reason=reason[:1000])


async def retry_backlog(*, uow: UnitOfWork) -> dict[str, int]:
    query = (
        select(Delivery.channel, func.count())
        .where(col(Delivery.state) == DeliveryState.RETRYING)
        .group_by(col(Delivery.channel))
    )
    return {str(channel): count for channel, count in (await uow.session.exec(query)).all()}


# Status, for people and for operators.


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


def is_final(result: SendResult) -> bool:
    return result.kind is not ResultKind.TRANSIENT
