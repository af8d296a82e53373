"""The delivery worker's pass: claim the rows that are due, send them, record what came of each.

Claiming leases rows (``lease_owner``/``leased_until``) with a conditional UPDATE, so several instances
can work one queue: a row is sent by the instance whose UPDATE matched it. The instance renews its lease
while the sends are under way; a lease that outlives its instance (a crash mid-send) expires and the row
is tried again. The pass runs as a periodic job (``jobs.deliveries``): the fan-out's commit wakes it, so a
planned row is sent at once; a row whose retry or quiet hours came due is picked up within the poll
interval. The retry backlog gauge is refreshed at most once a second, not on every pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select

from services.notifications.action_links.domain import ActionLinks
from services.notifications.channels.adapters import Channels
from services.notifications.channels.domain import SendResult
from services.notifications.deliveries import queries as deliveries
from services.notifications.deliveries.domain import WAITING, BackoffPolicy, DeliveryState, after_attempt
from services.notifications.deliveries.models import Delivery, DeliveryAttempt, SourceEvent
from services.notifications.inbox import service as inbox
from services.notifications.metrics import DeliveryMetrics
from services.notifications.sending.domain import (
    TemplateKey,
    Work,
    build_work,
    delivered_event,
    error_text,
    failed_event,
)
from services.notifications.templates.domain import TemplateRenderer
from services.notifications.templates.models import Template
from services.notifications.webhooks import service as webhooks
from services.notifications.webhooks.models import Subscription
from shared.clock import Clock
from shared.db import UnitOfWork, UnitOfWorkFactory
from shared.db.kept import Kept
from shared.events.notifications import DeliveryChannel

log = logging.getLogger(__name__)

Outcome = tuple[Work, SendResult, datetime, datetime]
"""What was sent, what came of it, when the attempt started and when it finished."""


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 200
    lease_s: float = 120.0
    instance_id: str = "notifications"


@dataclass(frozen=True)
class DeliveryWorker:
    """Everything one pass over the queue uses; ``work_due`` is the pass."""

    unit_of_work: UnitOfWorkFactory
    channels: Channels
    renderer: TemplateRenderer
    clock: Clock
    policy: BackoffPolicy
    metrics: DeliveryMetrics
    templates: Kept[dict[TemplateKey, Template]]
    """The templates, kept by the process until one changes."""
    config: WorkerConfig = field(default_factory=WorkerConfig)
    links: ActionLinks | None = None
    """Mints the one-click links of messages that ask a person to act."""
    uniform: Callable[[float, float], float] = random.uniform
    backlog_refresh_s: float = 1.0
    _last_backlog_refresh: list[float] = field(default_factory=lambda: [-1e9])

    async def work_due(self) -> int:
        """One batch: returns how many rows were claimed."""
        owner = f"{self.config.instance_id}-{uuid.uuid4().hex[:12]}"
        async with self.unit_of_work() as uow:
            claimed = await claim_due(
                uow=uow,
                now=self.clock(),
                limit=self.config.batch_size,
                lease_s=self.config.lease_s,
                owner=owner,
                templates=self.templates,
            )
        if claimed is None:
            await self._refresh_backlog()
            return 0
        work = build_work(
            claimed.rows,
            sources=claimed.sources,
            templates=claimed.templates,
            subscriptions=claimed.subscriptions,
            renderer=self.renderer,
            links=self.links,
            now=self.clock(),
        )
        renewing = asyncio.create_task(self._renew(owner))
        try:
            outcomes = await asyncio.gather(*(self._send(item) for item in work))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        async with self.unit_of_work() as uow:
            recorded = await record_outcomes(
                uow=uow,
                outcomes=outcomes,
                occurred={event_id: source.occurred_at for event_id, source in claimed.sources.items()},
                owner=owner,
                policy=self.policy,
                uniform=self.uniform,
            )
        for item in recorded:
            self.metrics.deliveries.labels(item.channel, item.outcome).inc()
            if item.latency_s is not None:
                self.metrics.latency.labels(item.channel).observe(item.latency_s)
        await self._refresh_backlog()
        return len(claimed.rows)

    async def _send(self, work: Work) -> Outcome:
        started_at = self.clock()
        if work.result_now is not None:
            return work, work.result_now, started_at, started_at
        if work.message.channel not in self.channels:
            result = SendResult.permanent(f"no {work.message.channel} channel is configured")
            return work, result, started_at, started_at
        result = await self.channels.send(work.message)
        return work, result, started_at, self.clock()

    async def _renew(self, owner: str) -> None:
        """Every third of a lease, push the batch's lease a whole lease ahead, until the sends are done."""
        lease = timedelta(seconds=self.config.lease_s)
        while True:
            await asyncio.sleep(self.config.lease_s / 3)
            try:
                async with self.unit_of_work() as uow:
                    await renew_leases(uow=uow, owner=owner, until=self.clock() + lease)
            except Exception:
                log.exception("renewing the delivery lease failed")

    async def _refresh_backlog(self) -> None:
        now = time.monotonic()
        if now - self._last_backlog_refresh[0] < self.backlog_refresh_s:
            return
        self._last_backlog_refresh[0] = now
        async with self.unit_of_work() as uow:
            backlog = await deliveries.retry_backlog(uow=uow)
        for channel in DeliveryChannel:
            self.metrics.retry_backlog.labels(channel.value).set(backlog.get(channel.value, 0))


@dataclass(frozen=True)
class Claimed:
    rows: list[Delivery]
    sources: dict[str, SourceEvent]
    templates: Mapping[TemplateKey, Template]
    """The kept templates: shared by every pass, read only."""
    subscriptions: dict[str, Subscription]


async def claim_due(
    *,
    uow: UnitOfWork,
    now: datetime,
    limit: int,
    lease_s: float,
    owner: str,
    templates: Kept[dict[TemplateKey, Template]],
) -> Claimed | None:
    free = or_(col(Delivery.leased_until).is_(None), col(Delivery.leased_until) < now)
    due = (
        select(Delivery.id)
        .where(col(Delivery.state).in_(WAITING), col(Delivery.next_attempt_at) <= now, free)
        .order_by(col(Delivery.next_attempt_at))
        .limit(limit)
    )
    # One statement picks the due rows, leases them and returns them (it was a SELECT, an UPDATE and a
    # SELECT). The conditions are checked again on each row as it is updated, so of two instances that
    # picked the same row only the first to update it gets it back (PostgreSQL re-reads a row another
    # transaction changed; SQLite has one writer at a time).
    leased = (
        update(Delivery)
        .where(col(Delivery.id).in_(due.scalar_subquery()), col(Delivery.state).in_(WAITING), free)
        .values(lease_owner=owner, leased_until=now + timedelta(seconds=lease_s))
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    rows = list((await uow.session.exec(leased)).scalars().all())
    await uow.commit()
    if not rows:
        return None
    event_ids = {row.source_event_id for row in rows}
    sources = (
        await uow.session.exec(select(SourceEvent).where(col(SourceEvent.event_id).in_(event_ids)))
    ).all()
    subscription_ids = [
        r.recipient_key.removeprefix("webhook:") for r in rows if r.channel == DeliveryChannel.WEBHOOK
    ]
    subscriptions: Sequence[Subscription] = []
    if subscription_ids:
        query = select(Subscription).where(col(Subscription.id).in_(subscription_ids))
        subscriptions = (await uow.session.exec(query)).all()
    kept_templates = await templates.get(uow)
    uow.session.expunge_all()  # detached but loaded: they outlive the session's closing rollback
    return Claimed(
        rows,
        {source.event_id: source for source in sources},
        kept_templates,
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
    outcomes: Sequence[Outcome],
    occurred: Mapping[str, datetime],
    owner: str,
    policy: BackoffPolicy,
    uniform: Callable[[float, float], float],
) -> list[Recorded]:
    """Log every attempt, move each row on, write inbox items, disable gone subscriptions, publish ends.

    ``occurred``: when each source event happened (the claim read them), which latency is measured from.
    """
    recorded: list[Recorded] = []
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
            uow.insert(
                DeliveryAttempt(
                    delivery_id=row.id,
                    number=row.attempts,
                    started_at=started_at,
                    finished_at=finished_at,
                    outcome=result.kind.value,
                    status_code=result.status_code,
                    error=error_text(result, work),
                )
            )
            step = after_attempt(
                result, attempts_done=row.attempts, now=finished_at, policy=policy, uniform=uniform
            )
            row.state, row.lease_owner, row.leased_until = step.state, None, None
            row.used_fallback_text = row.used_fallback_text or work.used_fallback_text
            row.last_error = error_text(result, work)
            if step.state is DeliveryState.RETRYING:
                assert step.next_attempt_at is not None
                row.next_attempt_at = step.next_attempt_at
                recorded.append(Recorded(row.channel, "retried"))
            elif step.state is DeliveryState.DELIVERED:
                row.finished_at = finished_at
                latency = max((finished_at - occurred[row.source_event_id]).total_seconds(), 0.0)
                recorded.append(Recorded(row.channel, "delivered", latency))
                if row.channel == DeliveryChannel.IN_APP:
                    inbox.add_item(
                        uow=uow,
                        delivery_id=row.id,
                        recipient_key=row.recipient_key,
                        source_event_id=row.source_event_id,
                        event_type=row.event_type,
                        title=work.message.subject,
                        body=work.message.body,
                        now=finished_at,
                    )
                uow.record(delivered_event(row, finished_at, latency))
            else:
                row.finished_at = finished_at
                recorded.append(Recorded(row.channel, "failed"))
                uow.record(failed_event(row, finished_at, result.error or "failed"))
            if result.gone and row.channel == DeliveryChannel.WEBHOOK:
                subscription_id = row.recipient_key.removeprefix("webhook:")
                await webhooks.disable_gone(uow=uow, subscription_id=subscription_id, now=finished_at)
            uow.session.add(row)
    await uow.commit()
    return recorded
