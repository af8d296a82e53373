"""Matching rules against an event's facts, and the priority of what they send, without I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.notifications.recipients.domain import EventFacts, RecipientRole
from shared.events.notifications import DeliveryChannel

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
"""The incidents catalog's severities, lowest first; a code the catalog adds later ranks below low."""


class Priority(StrEnum):
    CRITICAL = "critical"
    """Goes out at once: quiet hours and digests do not hold it."""
    NORMAL = "normal"
    LOW = "low"
    """May wait for the person's daily digest, if they asked for one."""


RULE_CHANNELS = (DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.IN_APP)
"""Channels a rule may name; webhooks go to integration clients' subscriptions instead."""


@dataclass(frozen=True)
class RuleSpec:
    event_type: str
    roles: tuple[RecipientRole, ...]
    channels: tuple[DeliveryChannel, ...]
    min_severity: str | None = None
    restricted: bool | None = None
    """True: only restricted (child-safety) cases; False: only the others; None: both."""
    cluster_nos: tuple[int, ...] = ()
    """Only events of these clusters; empty: any."""
    priority: Priority | None = None
    """None: from the event's severity."""


def severity_rank(severity: str | None) -> int:
    return SEVERITY_RANK.get(severity or "", 0)


def matches(rule: RuleSpec, facts: EventFacts) -> bool:
    if rule.event_type != facts.event_type:
        return False
    if rule.min_severity is not None and severity_rank(facts.severity) < severity_rank(rule.min_severity):
        return False
    if rule.restricted is not None and rule.restricted != facts.restricted:
        return False
    return not rule.cluster_nos or bool(set(rule.cluster_nos) & set(facts.cluster_nos))


def priority_of(facts: EventFacts, rules: Sequence[RuleSpec]) -> Priority:
    """The most urgent of what the matching rules say; a rule without a priority follows the severity."""
    found = {rule.priority or _from_severity(facts.severity) for rule in rules}
    for priority in (Priority.CRITICAL, Priority.NORMAL, Priority.LOW):
        if priority in found:
            return priority
    return _from_severity(facts.severity)


def _from_severity(severity: str | None) -> Priority:
    if severity == "critical":
        return Priority.CRITICAL
    if severity == "low":
        return Priority.LOW
    return Priority.NORMAL
