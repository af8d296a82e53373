"""Use cases of deliveries: fan an incoming event out into one delivery row per recipient and channel.

The fan-out runs in the consumer's transaction, so the event's inbox record and its deliveries commit
together or not at all; the unique key on (source event, recipient, channel) refuses a second fan-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notifications.deliveries.domain import Planned, plan
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.notices.domain import with_notice_parts
from services.notifications.preferences import service as preferences
from services.notifications.recipients import queries as recipients
from services.notifications.recipients.domain import (
    DepartmentContacts,
    EventFacts,
    Recipient,
    facts_of,
    targets_for,
)
from services.notifications.replica.queries import place_names
from services.notifications.rules import service as rules
from services.notifications.rules.domain import Priority, priority_of
from services.notifications.tables import new_id
from services.notifications.templates.domain import Language, event_context
from services.notifications.webhooks.queries import subscriptions_for
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.events import EventPayload
from shared.events.notifications import DeliveryChannel


@dataclass(frozen=True)
class DispatchConfig:
    department: DepartmentContacts
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
    names = await place_names(uow=uow, school_code=facts.school_code, commune_code=facts.commune_code)
    uow.session.add(
        SourceEvent(
            event_id=event_id,
            event_type=facts.event_type,
            subject=subject,
            occurred_at=facts.occurred_at,
            received_at=now,
            priority=priority,
            context=with_notice_parts(
                event_context(facts, event.model_dump(mode="json"), **names),
                event,
                {key: person for key, (person, _) in wanted.items()},
            ),
        )
    )
    for item in planned:
        uow.session.add(_row(item, facts, priority, now))
    return len(planned)


async def _webhooks(uow: UnitOfWork, facts: EventFacts, now: datetime) -> list[Planned]:
    subscriptions = await subscriptions_for(
        uow=uow, event_type=facts.event_type, cluster_nos=facts.cluster_nos
    )
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
    ]


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
