"""Use cases of deliveries: fan an incoming event out into one delivery row per recipient and channel.

The fan-out runs in the consumer's transaction, so the event's inbox record and its deliveries commit
together or not at all; the unique key on (source event, recipient, channel) refuses a second fan-out.
Its rows are written at the commit, a statement per table for the whole fetched batch (``uow.insert``).
Its commit wakes the delivery worker (``DELIVERIES_PLANNED``): the first send does not wait for a poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.notifications.coverage.queries import audience
from services.notifications.deliveries.domain import Planned, plan
from services.notifications.deliveries.models import Delivery, SourceEvent
from services.notifications.notices.domain import with_notice_parts
from services.notifications.preferences import service as preferences
from services.notifications.recipients.domain import DepartmentContacts, EventFacts, facts_of
from services.notifications.replica.queries import place_names
from services.notifications.rules import service as rules
from services.notifications.rules.domain import Priority, priority_of
from services.notifications.tables import new_id
from services.notifications.templates.domain import Language, event_context
from services.notifications.webhooks.domain import subscriptions_for
from services.notifications.webhooks.models import Subscription
from shared.clock import today_in_vietnam
from shared.db import UnitOfWork
from shared.db.kept import Kept
from shared.events import EventPayload
from shared.events.incidents import IncidentReportedV1
from shared.events.notifications import DeliveryChannel

DELIVERIES_PLANNED = "notifications.deliveries-planned"
"""The wake-up signal of the delivery worker: rows were planned that may be due now."""


@dataclass(frozen=True)
class DispatchConfig:
    department: DepartmentContacts
    channels: frozenset[DeliveryChannel]
    """The person channels this instance can send on (no SMS without a gateway)."""
    rules: Kept[rules.RulesByType]
    """The enabled rules, kept by the process until one changes."""
    subscriptions: Kept[tuple[Subscription, ...]]
    """The active webhook subscriptions, kept by the process until one changes."""


@dataclass(frozen=True)
class Dispatched:
    """What the fan-out of one event planned."""

    planned: int
    """Rows added (0 for an event seen before)."""
    unreached: bool = False
    """The event is an incident's first step and it reached nobody of the incident's own scope."""
    cluster: str = ""
    """The incident's cluster (``department`` for none), for the metric."""


async def dispatch(
    *,
    uow: UnitOfWork,
    event: EventPayload,
    event_id: str,
    subject: str | None,
    event_time: datetime | None,
    config: DispatchConfig,
    now: datetime,
) -> Dispatched:
    """Plan the event's deliveries: the people its rules name, with the duty desk standing in for a role of
    the incident's chain that resolves to nobody (recorded on the source event and on the desk's rows)."""
    if await uow.session.get(SourceEvent, event_id) is not None:
        return Dispatched(0)  # already fanned out (a replay past the inbox): the unique key refuses it anyway
    facts = facts_of(event, event_id=event_id, subject=subject, event_time=event_time)
    matched = rules.matching(await config.rules.get(uow), facts)
    heard = await audience(
        uow=uow, facts=facts, department=config.department, today=today_in_vietnam(now), matched=matched
    )
    wanted = {key: (item.recipient, item.channels) for key, item in heard.heard.items()}
    priority = priority_of(facts, matched)
    prefs = await preferences.load_many(uow=uow, recipient_keys=wanted)
    planned = plan(wanted, prefs, priority=priority, now=now, available=config.channels)
    planned += _webhooks(await config.subscriptions.get(uow), facts, now)
    first_step_unreached = facts.event_type == IncidentReportedV1.event_type and heard.unreached
    outcome = Dispatched(len(planned), first_step_unreached, _cluster_label(facts))
    if not planned:
        return outcome
    names = await place_names(uow=uow, school_code=facts.school_code, commune_code=facts.commune_code)
    uow.insert(
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
            vacancies=[{"role": v.role.value, "scope": v.scope} for v in heard.vacancies],
            unreached=first_step_unreached,
        )
    )
    for item in planned:
        standing_in = (
            heard.heard[item.recipient_key].stands_in_for if item.recipient_key in heard.heard else []
        )
        uow.insert(_row(item, facts, priority, now, [role.value for role in standing_in]))
    uow.wake_after_commit(DELIVERIES_PLANNED)
    return outcome


def _cluster_label(facts: EventFacts) -> str:
    return ",".join(str(n) for n in facts.cluster_nos) or "department"


def _webhooks(active: tuple[Subscription, ...], facts: EventFacts, now: datetime) -> list[Planned]:
    subscriptions = subscriptions_for(active, event_type=facts.event_type, cluster_nos=facts.cluster_nos)
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


def _row(
    item: Planned, facts: EventFacts, priority: Priority, now: datetime, stands_in_for: list[str]
) -> Delivery:
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
        stands_in_for=stands_in_for,
        created_at=now,
    )
