"""When a message may go out, given the person's quiet hours and digest: plain functions, no I/O.

Quiet hours and digests are read on Vietnam's clock (Asia/Ho_Chi_Minh). They hold back only what would
disturb (email, SMS): the inbox is silent and webhooks are machines. A critical message ignores both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from services.notifications.rules.domain import Priority
from services.notifications.templates.domain import Language
from shared.clock import VIETNAM
from shared.events.notifications import DeliveryChannel

DISTURBING = frozenset({DeliveryChannel.EMAIL, DeliveryChannel.SMS})


class HoldReason(StrEnum):
    QUIET_HOURS = "quiet_hours"
    DIGEST = "digest"


@dataclass(frozen=True)
class Preferences:
    channels: frozenset[DeliveryChannel] = field(
        default_factory=lambda: frozenset(
            {DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.IN_APP}
        )
    )
    language: Language = Language.VI
    quiet_start: time | None = None
    quiet_end: time | None = None
    daily_digest: bool = False
    digest_at: time = time(17, 0)


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: HoldReason


def channels_for(wanted: frozenset[DeliveryChannel], preferences: Preferences) -> list[DeliveryChannel]:
    """The rule's channels the person accepts; the inbox is kept even if they turned everything off."""
    kept = {channel for channel in wanted if channel in preferences.channels}
    if DeliveryChannel.IN_APP in wanted:
        kept.add(DeliveryChannel.IN_APP)
    return sorted(kept)


def hold_for(
    *, now: datetime, channel: DeliveryChannel, priority: Priority, preferences: Preferences
) -> Hold | None:
    """Until when to hold a message back, and why; None to send it now."""
    if priority is Priority.CRITICAL or channel not in DISTURBING:
        return None
    if priority is Priority.LOW and preferences.daily_digest and channel is DeliveryChannel.EMAIL:
        return Hold(next_local(now, preferences.digest_at, inclusive=True), HoldReason.DIGEST)
    if in_quiet_hours(now, preferences):
        assert preferences.quiet_end is not None
        return Hold(next_local(now, preferences.quiet_end, inclusive=False), HoldReason.QUIET_HOURS)
    return None


def in_quiet_hours(now: datetime, preferences: Preferences) -> bool:
    start, end = preferences.quiet_start, preferences.quiet_end
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(VIETNAM).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window crosses midnight, e.g. 22:00-06:00


def next_local(now: datetime, at: time, *, inclusive: bool) -> datetime:
    """The next moment the Vietnam clock reads ``at`` (now itself if ``inclusive`` and it reads so)."""
    local = now.astimezone(VIETNAM)
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate < local or (candidate == local and not inclusive):
        candidate += timedelta(days=1)
    return candidate.astimezone(now.tzinfo)
