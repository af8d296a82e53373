"""The background loop that works the delivery queue: claim what is due, send it, record what happened.

It runs inside the service as a periodic job and polls the database: a row that was planned, or whose
retry or quiet hours came due, is picked up within ``poll_interval_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifications.channels.base import Channel, SendResult
from services.notifications.deliveries import service
from services.notifications.deliveries.domain import BackoffPolicy
from services.notifications.deliveries.messages import Work, build_work
from services.notifications.metrics import DeliveryMetrics
from services.notifications.tables import Clock
from services.notifications.templates.domain import TemplateRenderer
from shared.db import UnitOfWorkFactory
from shared.events.notifications import DeliveryChannel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 200
    concurrency: int = 32
    poll_interval_s: float = 0.2
    lease_s: float = 120.0
    instance_id: str = "notifications"
    send_deadline_s: float = 60.0
    """The most one send may take in all: read timeouts reset with every byte, so a receiver that trickles
    its answer would otherwise hold the whole batch (and, renewed, its lease) for ever."""


class DeliveryWorker:
    def __init__(
        self,
        *,
        unit_of_work: UnitOfWorkFactory,
        channels: Mapping[DeliveryChannel, Channel],
        renderer: TemplateRenderer,
        clock: Clock,
        policy: BackoffPolicy,
        metrics: DeliveryMetrics,
        config: WorkerConfig,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        self._uow = unit_of_work
        self._channels = channels
        self._renderer = renderer
        self._clock = clock
        self._policy = policy
        self._metrics = metrics
        self._config = config
        self._uniform = uniform
        self._sends = asyncio.Semaphore(config.concurrency)

    async def run_once(self) -> bool:
        """The periodic job's pass; a full batch means more is probably due at once."""
        return await self.tick() >= self._config.batch_size

    async def tick(self) -> int:
        """One batch: returns how many rows were claimed."""
        owner = f"{self._config.instance_id}-{uuid.uuid4().hex[:12]}"
        async with self._uow() as uow:
            claimed = await service.claim_due(
                uow=uow,
                now=self._clock(),
                limit=self._config.batch_size,
                lease_s=self._config.lease_s,
                owner=owner,
            )
        if claimed is None:
            await self._refresh_backlog()
            return 0
        work = build_work(
            claimed.rows,
            sources=claimed.sources,
            templates=claimed.templates,
            subscriptions=claimed.subscriptions,
            renderer=self._renderer,
        )
        renewing = asyncio.create_task(self._renew(owner))
        try:
            outcomes = await asyncio.gather(*(self._send(item) for item in work))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        async with self._uow() as uow:
            recorded = await service.record_outcomes(
                uow=uow, outcomes=outcomes, owner=owner, policy=self._policy, uniform=self._uniform
            )
        for item in recorded:
            self._metrics.deliveries.labels(item.channel, item.outcome).inc()
            if item.latency_s is not None:
                self._metrics.latency.labels(item.channel).observe(item.latency_s)
        await self._refresh_backlog()
        return len(claimed.rows)

    async def _send(self, work: Work) -> tuple[Work, SendResult, datetime, datetime]:
        started_at = self._clock()
        if work.result_now is not None:
            return work, work.result_now, started_at, started_at
        channel = self._channels.get(work.message.channel)
        if channel is None:
            result = SendResult.permanent(f"no {work.message.channel} channel is configured")
            return work, result, started_at, started_at
        async with self._sends:
            try:
                async with asyncio.timeout(self._config.send_deadline_s):
                    result = await channel.send(work.message)
            except TimeoutError:
                result = SendResult.transient(f"no answer within {self._config.send_deadline_s:g} s in all")
            except Exception as exc:
                log.exception("channel %s failed", work.message.channel)
                result = SendResult.transient(f"{type(exc).__name__}: {exc}")
        return work, result, started_at, self._clock()

    async def _renew(self, owner: str) -> None:
        """Every third of a lease, push the batch's lease a whole lease ahead, until the sends are done."""
        lease = timedelta(seconds=self._config.lease_s)
        while True:
            await asyncio.sleep(self._config.lease_s / 3)
            try:
                async with self._uow() as uow:
                    await service.renew_leases(uow=uow, owner=owner, until=self._clock() + lease)
            except Exception:
                log.exception("renewing the delivery lease failed")

    async def _refresh_backlog(self) -> None:
        async with self._uow() as uow:
            backlog = await service.retry_backlog(uow=uow)
        for channel in DeliveryChannel:
            self._metrics.retry_backlog.labels(channel.value).set(backlog.get(channel.value, 0))

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
