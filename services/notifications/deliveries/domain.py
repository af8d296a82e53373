"""The delivery rules without I/O: who gets which channel when, and what follows an attempt."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.notifications.channels.domain import ResultKind, SendResult
from services.notifications.preferences.domain import HoldReason, Preferences, channels_for, hold_for
from services.notifications.recipients.domain import Recipient
from services.notifications.rules.domain import Priority
from services.notifications.templates.domain import Language
from shared.events.notifications import DeliveryChannel


class DeliveryState(StrEnum):
    PENDING = "pending"
    """Waiting for its first attempt (possibly held by quiet hours or a digest until ``next_attempt_at``)."""
    RETRYING = "retrying"
    """A transient failure; the next attempt is due at ``next_attempt_at``."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Dead-lettered: a permanent failure, or the attempts ran out."""


WAITING = (DeliveryState.PENDING, DeliveryState.RETRYING)
"""The states of a row the queue has still to work."""


@dataclass(frozen=True)
class Planned:
    recipient_key: str
    recipient_name: str
    channel: DeliveryChannel
    address: str
    language: Language
    next_attempt_at: datetime
    hold_reason: HoldReason | None


def address_for(recipient: Recipient, channel: DeliveryChannel) -> str | None:
    if channel == DeliveryChannel.EMAIL:
        return recipient.email
    if channel == DeliveryChannel.SMS:
        return recipient.phone
    if channel == DeliveryChannel.IN_APP:
        return recipient.key
    return None


def plan(
    wanted: Mapping[str, tuple[Recipient, frozenset[DeliveryChannel]]],
    preferences: Mapping[str, Preferences],
    *,
    priority: Priority,
    now: datetime,
    available: frozenset[DeliveryChannel],
) -> list[Planned]:
    """One delivery per recipient and channel they accept and have an address for, held if they asked."""
    planned = []
    for key, (recipient, channels) in wanted.items():
        prefs = preferences.get(key, Preferences())
        for channel in channels_for(channels & available, prefs):
            address = address_for(recipient, channel)
            if not address:
                continue
            hold = hold_for(now=now, channel=channel, priority=priority, preferences=prefs)
            planned.append(
                Planned(
                    recipient_key=key,
                    recipient_name=recipient.name,
                    channel=channel,
                    address=address,
                    language=prefs.language,
                    next_attempt_at=hold.until if hold else now,
                    hold_reason=hold.reason if hold else None,
                )
            )
    return planned


@dataclass(frozen=True)
class BackoffPolicy:
    max_attempts: int = 8
    base_delay_s: float = 2.0
    max_delay_s: float = 900.0
    max_retry_after_s: float = 3600.0

    def delay_after(
        self, attempt: int, *, retry_after_s: float | None, uniform: Callable[[float, float], float]
    ) -> float:
        """Exponential with full-range jitter in its upper half; a ``Retry-After`` is honoured as a floor."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** max(attempt - 1, 0))
        delay = uniform(ceiling / 2, ceiling)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.max_retry_after_s))
        return delay


@dataclass(frozen=True)
class Step:
    state: DeliveryState
    next_attempt_at: datetime | None = None


def after_attempt(
    result: SendResult,
    *,
    attempts_done: int,
    now: datetime,
    policy: BackoffPolicy,
    uniform: Callable[[float, float], float] = random.uniform,
) -> Step:
    if result.kind is ResultKind.DELIVERED:
        return Step(DeliveryState.DELIVERED)
    if result.kind is ResultKind.PERMANENT or attempts_done >= policy.max_attempts:
        return Step(DeliveryState.FAILED)
    delay = policy.delay_after(attempts_done, retry_after_s=result.retry_after_s, uniform=uniform)
    return Step(DeliveryState.RETRYING, now + timedelta(seconds=delay))
