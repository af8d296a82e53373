"""Fan-out: an incoming event becomes one delivery row per recipient and channel, in the handler's
transaction (so the event's inbox record and its deliveries commit together or not at all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from services.notifications.deliveries.domain import Planned, plan
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.preferences import service as preferences
from services.notifications.recipients import service as recipients
from services.notifications.recipients.domain import EventFacts, Recipient, targets_for
from services.notifications.recipients.facts import facts_of
from services.notifications.replica.models import CommuneReplica, SchoolReplica
from services.notifications.rules import service as rules
from services.notifications.rules.domain import Priority, priority_of
from services.notifications.tables import new_id
from services.notifications.templates.context import event_context
from services.notifications.templates.domain import Language
from services.notifications.webhooks.domain import accepts
from services.notifications.webhooks.models import Subscription
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.events import EventPayload
from shared.events.notifications import DeliveryChannel


@dataclass(frozen=True)
class DispatchConfig:
    department: recipients.DepartmentContacts
    channels: frozenset[DeliveryChannel]
    """The person channels this instance can send on (no SMS without a gateway)."""


async def dispatch(
    *,
    uow: UnitOfWork,
    event: EventPayload,
    event_id: str,
    subject: str | None,
    event_time: datetime | None,
    config: DispatchConfig,
    now: datetime,
) -> int:
    """Plan the event's deliveries; returns how many rows were added (0 for an event seen before)."""
    if await uow.session.get(SourceEvent, event_id) is not None:
        return 0  # already fanned out (a replay past the inbox): the unique key would refuse it anyway
    facts = facts_of(event, event_id=event_id, subject=subject, event_time=event_time)
    matched = await rules.matching_rules(uow=uow, facts=facts)
    wanted: dict[str, tuple[Recipient, frozenset[DeliveryChannel]]] = {}
    for rule in matched:
        targets = [target for role in rule.roles for target in targets_for(role, facts)]
        found = await recipients.resolve(
            uow=uow, targets=targets, department=config.department, today=today_in_vietnam(now)
        )
        for person in found:
            _, channels = wanted.get(person.key, (person, frozenset()))
            wanted[person.key] = (person, channels | frozenset(rule.channels))
    priority = priority_of(facts, matched)
    prefs = await preferences.load_many(uow=uow, recipient_keys=wanted)
    planned = plan(wanted, prefs, priority=priority, now=now, available=config.channels)
    planned += await _webhooks(uow, facts, now)
    if not planned:
        return 0
    uow.session.add(
        SourceEvent(
            event_id=event_id,
            event_type=facts.event_type,
            subject=subject,
            occurred_at=facts.occurred_at,
            received_at=now,
            priority=priority,
            context=event_context(facts, event.model_dump(mode="json"), **await _names(uow, facts)),
        )
    )
    for item in planned:
        uow.session.add(_row(item, facts, priority, now))
    return len(planned)


async def _webhooks(uow: UnitOfWork, facts: EventFacts, now: datetime) -> list[Planned]:
    query = select(Subscription).where(col(Subscription.active))
    subscriptions: Sequence[Subscription] = (await uow.session.exec(query)).all()
    return [
        Planned(
            recipient_key=f"webhook:{subscription.id}",
            recipient_name=subscription.owner,
            channel=DeliveryChannel.WEBHOOK,
            address=subscription.url,
            language=Language.VI,
            next_attempt_at=now,
            hold_reason=None,
        )
        for subscription in subscriptions
        if accepts(subscription.event_types, facts.event_type) and _granted(subscription, facts)
    ]


def _granted(subscription: Subscription, facts: EventFacts) -> bool:
    """An integration client hears only of the clusters its grant covered when it subscribed."""
    if subscription.cluster_nos is None:
        return True
    return bool(set(subscription.cluster_nos) & set(facts.cluster_nos))


async def _names(uow: UnitOfWork, facts: EventFacts) -> dict[str, str | None]:
    school = await uow.session.get(SchoolReplica, facts.school_code) if facts.school_code else None
    commune = await uow.session.get(CommuneReplica, facts.commune_code) if facts.commune_code else None
    return {"school_name": school.name if school else None, "commune_name": commune.name if commune else None}


def _row(item: Planned, facts: EventFacts, priority: Priority, now: datetime) -> Delivery:
    return Delivery(
        id=new_id(),
        source_event_id=facts.event_id,
        event_type=facts.event_type,
        recipient_key=item.recipient_key,
        recipient_name=item.recipient_name,
        channel=item.channel,
        address=item.address,
        language=item.language,
        priority=priority,
        hold_reason=item.hold_reason,
        next_attempt_at=item.next_attempt_at,
        created_at=now,
    )
